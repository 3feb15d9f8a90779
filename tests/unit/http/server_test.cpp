#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <future>
#include <string>

#include "core/http/server.hpp"

using namespace gw::http;

namespace {

// A raw client socket: the tests need byte-exact control the HTTP clients do not give.
class Raw {
public:
  explicit Raw(int port) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~Raw() { ::close(m_fd); }
  void send(std::string_view s) { REQUIRE(::send(m_fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size())); }
  // Reads until `until` appears in what was received (or EOF / 10 s); returns everything so far.
  std::string read_until(std::string_view until) {
    while (m_got.find(until) == std::string::npos) {
      if (!read_more()) break;
    }
    return m_got;
  }
  std::string read_to_eof() {
    while (read_more()) {
    }
    return m_got;
  }
  void half_close() { ::shutdown(m_fd, SHUT_WR); }

private:
  bool read_more() {
    pollfd p{m_fd, POLLIN, 0};
    if (::poll(&p, 1, 10'000) <= 0) return false;
    char buf[4096];
    ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    m_got.append(buf, static_cast<size_t>(n));
    return true;
  }
  int m_fd = -1;
  std::string m_got;
};

size_t count(const std::string& s, std::string_view what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// Echoes the path and body: "path=<path> body=<body>".
void echo(ServerRequest& req) {
  auto body = req.read_body(16);
  if (!body) {
    int status = body.error().code == gw::Errc::denied ? 413 : 400;
    req.response().send(status, {}, "text/plain", body.error().message);
    return;
  }
  req.response().send(200, {}, "text/plain", "path=" + req.head().path + " body=" + *body);
}

}  // namespace

TEST_CASE("server: keep-alive and pipelined requests are answered in order on one connection") {
  Server s({}, echo);
  auto port = s.start();
  REQUIRE(port);
  Raw c(*port);
  c.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nonePOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\ntwo");
  std::string got = c.read_until("body=two");
  CHECK(count(got, "HTTP/1.1 200 OK") == 2);
  CHECK(got.find("path=/a body=one") < got.find("path=/b body=two"));
  c.send("GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(c.read_until("path=/c").find("path=/c body=") != std::string::npos);
}

TEST_CASE("server: a chunked request body is decoded and the next request still found") {
  Server s({}, echo);
  auto port = s.start();
  REQUIRE(port);
  Raw c(*port);
  c.send("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nGET /y HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string got = c.read_until("path=/y");
  CHECK(got.find("path=/x body=abcde") != std::string::npos);
  CHECK(got.find("path=/y body=") != std::string::npos);
}

TEST_CASE("server: Expect: 100-continue gets an interim 100 before the body is sent") {
  Server s({}, echo);
  auto port = s.start();
  REQUIRE(port);
  Raw c(*port);
  c.send("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  CHECK(c.read_until("\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("hi");
  CHECK(c.read_until("body=hi").find("HTTP/1.1 200 OK") != std::string::npos);
}

TEST_CASE("server: an oversized body gets the handler's 413 and the connection closes") {
  Server s({}, echo);
  auto port = s.start();
  REQUIRE(port);
  Raw c(*port);
  c.send("POST /big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 17\r\n\r\n");
  std::string got = c.read_to_eof();  // no 100 Continue: the body is refused unread
  CHECK(got.starts_with("HTTP/1.1 413 "));
  CHECK(got.find("Connection: close") != std::string::npos);
  CHECK(got.find("exceeds the limit of 16 bytes") != std::string::npos);
  Raw d(*port);
  d.send("POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n" + std::string(17, 'a') + "\r\n0\r\n\r\n");
  CHECK(d.read_to_eof().starts_with("HTTP/1.1 413 "));
}

TEST_CASE("server: protocol errors are answered by the server and close the connection") {
  Server s({}, echo);
  auto port = s.start();
  REQUIRE(port);
  {
    Raw c(*port);
    c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    std::string got = c.read_to_eof();
    CHECK(got.starts_with("HTTP/1.1 400 Bad Request\r\n"));
    CHECK(got.find("only one") != std::string::npos);
  }
  {
    Raw c(*port);
    c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70 * 1024, 'a'));
    CHECK(c.read_to_eof().starts_with("HTTP/1.1 431 "));
  }
}

TEST_CASE("server: a streamed response reaches the client before the handler finishes") {
  std::promise<void> client_saw_first;
  auto seen = client_saw_first.get_future();
  Server s({}, [&](ServerRequest& req) {
    auto& res = req.response();
    res.start(200, {}, std::nullopt);
    res.write("data: one\n\n");
    seen.wait();  // only the client receiving the first event releases the rest
    res.write("data: two\n\n");
    res.end();
  });
  auto port = s.start();
  REQUIRE(port);
  Raw c(*port);
  c.send("GET /s HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string first = c.read_until("data: one");
  CHECK(first.find("Transfer-Encoding: chunked") != std::string::npos);
  CHECK(first.find("b\r\ndata: one\n\n\r\n") != std::string::npos);
  client_saw_first.set_value();
  CHECK(c.read_until("0\r\n\r\n").ends_with("b\r\ndata: two\n\n\r\n0\r\n\r\n"));
}

TEST_CASE("server: a response the handler leaves unfinished is cut, and a gone client fails writes") {
  std::promise<bool> write_result;
  std::promise<void> client_closed;
  auto closed = client_closed.get_future();
  Server s({}, [&](ServerRequest& req) {
    auto& res = req.response();
    if (req.head().path == "/cut") {
      res.start(200, {}, uint64_t{100});
      res.write("partial");
      return;  // no end(): the client must see the connection close short of 100 bytes
    }
    res.start(200, {}, std::nullopt);
    res.write("x");
    closed.wait();
    bool ok = true;
    for (int i = 0; i < 1000 && ok; ++i) ok = res.write(std::string(64 * 1024, 'y'));
    write_result.set_value(ok);
  });
  auto port = s.start();
  REQUIRE(port);
  {
    Raw c(*port);
    c.send("GET /cut HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string got = c.read_to_eof();
    CHECK(got.find("Content-Length: 100") != std::string::npos);
    CHECK(got.ends_with("partial"));
  }
  {
    auto c = std::make_unique<Raw>(*port);
    c->send("GET /gone HTTP/1.1\r\nHost: x\r\n\r\n");
    c->read_until("x");
    c.reset();
    client_closed.set_value();
  }
  CHECK_FALSE(write_result.get_future().get());
}

TEST_CASE("server: HTTP/1.0 clients get a close-delimited stream; HEAD gets no body") {
  Server s({}, [](ServerRequest& req) {
    auto& res = req.response();
    if (req.head().method == "HEAD") {
      res.send(200, {}, "text/plain", "body-not-sent");
      return;
    }
    res.start(200, {}, std::nullopt);
    res.write("streamed");
    res.end();
  });
  auto port = s.start();
  REQUIRE(port);
  Raw c(*port);
  c.send("GET / HTTP/1.0\r\n\r\n");
  std::string got = c.read_to_eof();
  CHECK(got.find("Transfer-Encoding") == std::string::npos);
  CHECK(got.ends_with("\r\n\r\nstreamed"));
  Raw h(*port);
  h.send("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string head = h.read_to_eof();
  CHECK(head.find("Content-Length: 13") != std::string::npos);
  CHECK(head.ends_with("\r\n\r\n"));
}

TEST_CASE("server: a second server cannot bind the same port; stop() ends idle connections") {
  Server s({}, echo);
  auto port = s.start();
  REQUIRE(port);
  ServerOptions same;
  same.port = *port;
  Server other(same, echo);
  auto second = other.start();
  REQUIRE_FALSE(second);
  CHECK(second.error().message.find("cannot listen on 127.0.0.1:" + std::to_string(*port)) != std::string::npos);
  Raw idle(*port);
  idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  idle.read_until("body=");
  s.stop();  // must not wait for the 300 s idle timeout
  CHECK(idle.read_to_eof().find("body=") != std::string::npos);
}
