// Streaming behaviour through the sidecar: cuts, pauses, upstream errors, TLS and concurrency.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <nlohmann/json.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sidecar.hpp"

using namespace gw::test;
using nlohmann::json;

namespace {
const std::string k_stream_body =
    R"({"model":"claude-haiku-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"say pong"}]})";
}

TEST_CASE("sidecar: an upstream 429 passes through unchanged, retry-after included") {
  FakeProvider fake;
  Sidecar gw(fake);
  std::string token = gw.mint();
  fake.control({{"mode", "status"}, {"status", 429}, {"retry_after", 3}, {"count", 1}});
  auto cli = gw.client();
  auto r = cli.Post("/v1/messages", {{"x-api-key", token}}, k_stream_body, "application/json");
  REQUIRE(r);
  CHECK(r->status == 429);
  CHECK(r->get_header_value("retry-after") == "3");
  auto j = json::parse(r->body);
  CHECK(j["error"]["type"] == "rate_limit_error");
  // The next request goes through again.
  auto ok = cli.Post("/v1/messages", {{"x-api-key", token}}, k_stream_body, "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
}

TEST_CASE("sidecar: a stream cut upstream is cut toward the agent, after the events already sent") {
  FakeProvider fake;
  Sidecar gw(fake);
  std::string token = gw.mint();
  fake.control({{"mode", "cut"}, {"after_events", 2}, {"count", 1}});
  auto cli = gw.client();
  auto r = post_streaming(cli, "/v1/messages", k_stream_body, {{"x-api-key", token}});
  CHECK_FALSE(r.ok);  // the agent sees the connection end without the terminal chunk
  CHECK(r.status == 200);
  auto events = parse_sse(r.body);
  REQUIRE(events.size() >= 1);
  CHECK(events.front().event == "message_start");
  for (const auto& e : events) CHECK(e.event != "message_stop");
  // The cut is counted as an error; the input seen in message_start is still accounted.
  auto st = gw.status();
  CHECK(st["stats"]["total"]["errors"] == 1);
  CHECK(st["stats"]["total"]["tokens"]["input"].get<int>() > 0);
  // The sidecar serves the retry normally.
  auto again = post_streaming(cli, "/v1/messages", k_stream_body, {{"x-api-key", token}});
  CHECK(again.ok);
}

TEST_CASE("sidecar: a silent pause longer than httplib's 5 s defaults does not cut the stream") {
  FakeProvider fake;
  Sidecar gw(fake);
  std::string token = gw.mint();
  fake.control({{"mode", "pause"}, {"pause_ms", 6500}, {"count", 1}});
  auto cli = gw.client();
  auto r = post_streaming(cli, "/v1/responses", R"({"model":"gpt-5-codex","stream":true,"input":"x"})",
                          {{"Authorization", "Bearer " + token}});
  REQUIRE(r.ok);
  auto events = parse_sse(r.body);
  REQUIRE_FALSE(events.empty());
  CHECK(events.back().event == "response.completed");
  // The first event arrived before the pause: relayed as it came, not buffered to the end.
  REQUIRE(r.chunks.size() >= 2);
  auto gap = r.chunks.back().at - r.chunks.front().at;
  CHECK(gap >= std::chrono::milliseconds(6000));
}

TEST_CASE("sidecar: an unreachable upstream gives 502 naming it, in the provider's shape") {
  FakeProvider fake;
  // A port nothing listens on: bound (so no one else takes it) but never listening.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int dead_port = ntohs(addr.sin_port);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  Sidecar gw(fake, {.upstream_base = "http://127.0.0.1:" + std::to_string(dead_port)});
  std::string token = gw.mint();
  auto cli = gw.client();
  auto r = cli.Post("/v1beta/models/gemini-2.5-pro:generateContent", {{"x-goog-api-key", token}}, R"({"contents":[]})",
                    "application/json");
  REQUIRE(r);
  CHECK(r->status == 502);
  auto j = json::parse(r->body);
  CHECK(j["error"]["status"] == "UNAVAILABLE");
  CHECK(j["error"]["message"].get<std::string>().find("127.0.0.1:" + std::to_string(dead_port)) != std::string::npos);
}

TEST_CASE("sidecar: TLS to the upstream is verified; a trusted CA file makes it work") {
  TempDir certs("gw-certs");
  auto tls = make_self_signed_cert(certs.path());
  FakeProvider fake({.expect_keys = {std::string("openai=") + k_openai_key}, .tls_cert = tls.cert, .tls_key = tls.key});
  REQUIRE(fake.tls());
  SUBCASE("untrusted certificate: 502 that says TLS failed") {
    Sidecar gw(fake);
    std::string token = gw.mint();
    auto cli = gw.client();
    auto r = cli.Post("/v1/responses", {{"Authorization", "Bearer " + token}}, R"({"model":"gpt-5","input":"x"})",
                      "application/json");
    REQUIRE(r);
    CHECK(r->status == 502);
    CHECK(json::parse(r->body)["error"]["message"].get<std::string>().find("TLS") != std::string::npos);
    CHECK(fake.requests().empty());
  }
  SUBCASE("trusted via --ca-file: the request and its stream go through") {
    Sidecar gw(fake, {.extra_args = {"--ca-file", tls.cert.string()}});
    std::string token = gw.mint();
    auto cli = gw.client();
    auto r = post_streaming(cli, "/v1/responses", R"({"model":"gpt-5","stream":true,"input":"x"})",
                            {{"Authorization", "Bearer " + token}});
    REQUIRE(r.ok);
    CHECK(r.status == 200);
    REQUIRE(fake.requests().size() == 1);
    CHECK(fake.requests()[0]["tls"] == true);
  }
}

TEST_CASE("sidecar: 64 concurrent streams all complete (the listener's pool grows)") {
  FakeProvider fake({.events = 20, .event_interval_us = 20000});
  Sidecar gw(fake);
  std::string token = gw.mint();
  std::vector<std::future<StreamResult>> results;
  for (int i = 0; i < 64; ++i)
    results.push_back(std::async(std::launch::async, [&] {
      auto cli = gw.client();
      return post_streaming(cli, "/v1/messages", k_stream_body, {{"x-api-key", token}});
    }));
  int ok = 0;
  for (auto& f : results) {
    auto r = f.get();
    auto events = parse_sse(r.body);
    if (r.ok && r.status == 200 && !events.empty() && events.back().event == "message_stop") ++ok;
    else MESSAGE("stream failed: ok=" << r.ok << " status=" << r.status << " error=" << r.error << " body=" << r.body.substr(0, 200));
  }
  CHECK(ok == 64);
  CHECK(gw.status()["stats"]["total"]["requests"] == 64);
}

TEST_CASE("sidecar: the control socket is private and stop ends the process") {
  FakeProvider fake;
  Sidecar gw(fake);
  auto mode = std::filesystem::status(gw.paths().control_socket()).permissions();
  using p = std::filesystem::perms;
  CHECK((mode & (p::group_all | p::others_all)) == p::none);
  auto r = gw::agent::control_call(gw.paths(), {{"op", "stop"}});
  REQUIRE(r);
  CHECK((*r)["ok"] == true);
  CHECK(gw.process().wait(std::chrono::seconds(15)) == 0);
}
