// gw's HTTP server with TLS (ServerOptions::tls): the same request handling over a TLS session.
#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>

#include "core/http/server.hpp"
#include "core/http/tls_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw::http;

namespace {

struct TlsServer {
  gw::test::TempDir dir{"gw-tls"};
  std::unique_ptr<Server> server;
  int port = 0;

  explicit TlsServer(Handler h) {
    ::signal(SIGPIPE, SIG_IGN);  // as gw serve does: OpenSSL writes with write()
    auto files = gw::test::make_self_signed_cert(dir.path());
    auto ctx = TlsServerContext::load(files.cert, files.key);
    REQUIRE(ctx);
    ServerOptions o;
    o.tls = *ctx;
    o.read_timeout_ms = 5000;
    server = std::make_unique<Server>(o, std::move(h));
    auto p = server->start();
    REQUIRE(p);
    port = *p;
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port); }
};

}  // namespace

TEST_CASE("http server with TLS: requests, bodies and a streamed response over one kept-alive TLS session") {
  TlsServer s([](ServerRequest& req) {
    auto body = req.read_body(1 << 20);
    if (req.head().path == "/stream") {
      auto& res = req.response();
      Headers h;
      h.add("Content-Type", "text/event-stream");
      res.start(200, h, std::nullopt);
      for (int i = 0; i < 3; ++i) res.write("data: " + std::to_string(i) + "\n\n");
      res.end();
      return;
    }
    req.response().send(200, {}, "text/plain", "echo:" + (body ? *body : std::string("?")));
  });
  auto cli = gw::test::make_client(s.url());
  cli.set_keep_alive(true);
  std::string big(200 * 1024, 'x');  // larger than one TLS record
  auto a = cli.Post("/echo", big, "text/plain");
  REQUIRE(a);
  CHECK(a->status == 200);
  CHECK(a->body == "echo:" + big);
  auto b = gw::test::post_streaming(cli, "/stream", "{}");
  REQUIRE(b.ok);
  CHECK(b.body == "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  auto c = cli.Post("/echo", "again", "text/plain");
  REQUIRE(c);
  CHECK(c->body == "echo:again");
}

TEST_CASE("http server with TLS: a plain HTTP client gets no answer and the server keeps serving") {
  TlsServer s([](ServerRequest& req) { req.response().send(200, {}, "text/plain", "ok"); });
  auto plain = gw::test::make_client("http://127.0.0.1:" + std::to_string(s.port));
  plain.set_read_timeout(5, 0);
  auto r = plain.Get("/");
  CHECK((!r || r->status >= 400));
  auto tls = gw::test::make_client(s.url());
  auto ok = tls.Get("/");
  REQUIRE(ok);
  CHECK(ok->body == "ok");
}

TEST_CASE("TlsServerContext: unusable files are named in the error") {
  gw::test::TempDir dir("gw-tls");
  auto files = gw::test::make_self_signed_cert(dir.path());
  auto missing = TlsServerContext::load(dir.path() / "nope.pem", files.key);
  REQUIRE(!missing);
  CHECK(missing.error().message.find("nope.pem") != std::string::npos);
  std::ofstream(dir.path() / "garbage.pem") << "not a key\n";
  auto bad_key = TlsServerContext::load(files.cert, dir.path() / "garbage.pem");
  REQUIRE(!bad_key);
  CHECK(bad_key.error().message.find("garbage.pem") != std::string::npos);
  std::filesystem::create_directories(dir.path() / "other");
  auto other = gw::test::make_self_signed_cert(dir.path() / "other");
  auto mismatch = TlsServerContext::load(files.cert, other.key);
  REQUIRE(!mismatch);
  CHECK(mismatch.error().message.find("does not match") != std::string::npos);
}
