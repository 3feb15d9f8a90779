#include <doctest/doctest.h>

#include <string>

#include "core/http/server_parser.hpp"

using namespace gw::http;

namespace {

// Feeds `raw` one prefix at a time, as a socket might deliver it split at every byte, and checks
// that the head is incomplete until its last byte and parses the same way then.
HeadResult parse_split_everywhere(const std::string& raw, RequestHead& out, ParserLimits limits = {}) {
  for (size_t cut = 0; cut < raw.size(); ++cut) {
    RequestHead partial;
    HeadResult r = parse_head(std::string_view(raw).substr(0, cut), limits, partial);
    if (r.state == HeadState::complete) {  // complete as soon as the blank line is in
      CHECK(r.consumed == cut);
      out = partial;
    }
    if (r.state != HeadState::incomplete) return r;
  }
  return parse_head(raw, limits, out);
}

int failure_status(const std::string& raw, ParserLimits limits = {}) {
  RequestHead head;
  HeadResult r = parse_head(raw, limits, head);
  return r.state == HeadState::failed ? r.failure.status : 0;
}

std::string decode_chunked_split(const std::string& raw, size_t piece, ChunkedDecoder::Status& status, size_t& used) {
  ChunkedDecoder d{ParserLimits{}};
  std::string out;
  used = 0;
  status = ChunkedDecoder::Status::more;
  while (used < raw.size() && status == ChunkedDecoder::Status::more) {
    size_t n = 0;
    status = d.feed(std::string_view(raw).substr(used, piece), n, out);
    used += n;
    if (n == 0 && status == ChunkedDecoder::Status::more) break;
  }
  return out;
}

}  // namespace

TEST_CASE("server parser: a request head split at every byte parses the same") {
  std::string raw =
      "POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 12\r\n"
      "X-Api-Key:  gw_s_abc \t\r\nanthropic-version: 2023-06-01\r\n\r\n{\"model\":1}\n";
  RequestHead head;
  HeadResult r = parse_split_everywhere(raw, head);
  REQUIRE(r.state == HeadState::complete);
  CHECK(r.consumed == raw.size() - 12);
  CHECK(head.method == "POST");
  CHECK(head.target == "/v1/messages?beta=true");
  CHECK(head.path == "/v1/messages");
  CHECK(head.query == "beta=true");
  CHECK(head.minor_version == 1);
  CHECK(head.keep_alive);
  CHECK(head.content_length == 12u);
  CHECK_FALSE(head.chunked);
  CHECK(head.headers.get("x-api-key") == "gw_s_abc");  // surrounding whitespace trimmed
  REQUIRE(head.headers.items().size() == 4);
  CHECK(head.headers.items()[1].first == "Content-Length");  // names keep the sender's case
}

TEST_CASE("server parser: the path is kept as sent, percent escapes included") {
  RequestHead head;
  auto r = parse_head("GET /v1beta/models/a%3Ab:x?alt=sse HTTP/1.1\r\nHost: localhost\r\n\r\n", {}, head);
  REQUIRE(r.state == HeadState::complete);
  CHECK(head.path == "/v1beta/models/a%3Ab:x");
  CHECK(head.query == "alt=sse");
}

TEST_CASE("server parser: pipelined requests are consumed one head at a time") {
  std::string two = "GET /a HTTP/1.1\r\nHost: localhost\r\n\r\nGET /b HTTP/1.1\r\nHost: localhost\r\n\r\n";
  RequestHead head;
  auto r = parse_head(two, {}, head);
  REQUIRE(r.state == HeadState::complete);
  CHECK(head.path == "/a");
  auto r2 = parse_head(std::string_view(two).substr(r.consumed), {}, head);
  REQUIRE(r2.state == HeadState::complete);
  CHECK(head.path == "/b");
  CHECK(r.consumed + r2.consumed == two.size());
}

TEST_CASE("server parser: connection persistence follows the version and Connection") {
  RequestHead h;
  REQUIRE(parse_head("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n", {}, h).state == HeadState::complete);
  CHECK_FALSE(h.keep_alive);
  REQUIRE(parse_head("GET / HTTP/1.0\r\n\r\n", {}, h).state == HeadState::complete);
  CHECK_FALSE(h.keep_alive);
  CHECK(h.minor_version == 0);
  REQUIRE(parse_head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", {}, h).state == HeadState::complete);
  CHECK(h.keep_alive);
  REQUIRE(parse_head("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", {}, h).state == HeadState::complete);
  CHECK(h.path == "/");
}

TEST_CASE("server parser: Expect: 100-continue is recognised; other expectations get 417") {
  RequestHead h;
  REQUIRE(parse_head("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n", {}, h).state ==
          HeadState::complete);
  CHECK(h.expect_continue);
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n") == 417);
}

TEST_CASE("server parser: malformed request lines and headers are 400") {
  CHECK(failure_status("GET /\r\nHost: x\r\n\r\n") == 400);
  CHECK(failure_status("GET  / HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
  CHECK(failure_status("GET / HTTP/1.1 \r\nHost: x\r\n\r\n") == 400);
  CHECK(failure_status("G(T / HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
  CHECK(failure_status("GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
  CHECK(failure_status("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
  CHECK(failure_status("GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
  CHECK(failure_status("GET / HTTQ/1.1\r\nHost: x\r\n\r\n") == 400);
  CHECK(failure_status("GET / HTTP/2.0\r\nHost: x\r\n\r\n") == 505);
  CHECK(failure_status("GET / HTTP/1.1\r\nHost : x\r\n\r\n") == 400);     // whitespace before ':'
  CHECK(failure_status("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n") == 400);  // obs-fold
  CHECK(failure_status("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n") == 400);
  CHECK(failure_status("GET / HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n") == 400);
  CHECK(failure_status("GET / HTTP/1.1\r\nHost: x\r\nX: a\x01z\r\n\r\n") == 400);
  CHECK(failure_status("GET / HTTP/1.1\nHost: x\r\n\r\n") == 400);          // bare LF
  CHECK(failure_status("GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n") == 400);  // bare CR
  CHECK(failure_status(std::string("GET / HTTP/1.1\r\nHost: x\0\r\n\r\n", 28)) == 400);
  CHECK(failure_status("GET / HTTP/1.1\r\n\r\n") == 400);                   // HTTP/1.1 needs Host
  CHECK(failure_status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
}

TEST_CASE("server parser: a malformed request line fails before the head is complete") {
  RequestHead h;
  auto r = parse_head("BROKEN\r\nHost: x\r\n", {}, h);
  REQUIRE(r.state == HeadState::failed);
  CHECK(r.failure.status == 400);
}

TEST_CASE("server parser: Content-Length must be digits, consistent, and not beside Transfer-Encoding") {
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n") == 400);
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n") == 400);
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1\r\n\r\n") == 400);
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n") == 400);
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n") == 400);
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n") == 413);
  RequestHead h;
  REQUIRE(parse_head("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\n", {}, h).state ==
          HeadState::complete);
  CHECK(h.content_length == 3u);
  // Smuggling: the two framings together are refused, in either order and any case.
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n") == 400);
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == 501);
  CHECK(failure_status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n") == 501);
  CHECK(failure_status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
  REQUIRE(parse_head("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n", {}, h).state == HeadState::complete);
  CHECK(h.chunked);
  CHECK_FALSE(h.content_length);
}

TEST_CASE("server parser: oversized heads are 431, as soon as the limit is passed") {
  ParserLimits small;
  small.max_head_bytes = 100;
  std::string big = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(200, 'a');
  CHECK(failure_status(big, small) == 431);  // no blank line yet: fails without waiting for it
  CHECK(failure_status(big + "\r\n\r\n", small) == 431);
  CHECK(failure_status("GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(60, 'a') + "\r\n\r\n", small) == 0);
  ParserLimits few;
  few.max_headers = 3;
  CHECK(failure_status("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", few) == 431);
}

TEST_CASE("server parser: a chunked body decodes identically for every split size") {
  std::string raw = "5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\nGET /next";
  for (size_t piece = 1; piece <= raw.size(); ++piece) {
    ChunkedDecoder::Status st;
    size_t used = 0;
    std::string out = decode_chunked_split(raw, piece, st, used);
    CAPTURE(piece);
    REQUIRE(st == ChunkedDecoder::Status::done);
    CHECK(out == "helloabcdefghijklmnopqrstuvwxyz");
    CHECK(raw.substr(used) == "GET /next");  // the pipelined request is left unread
  }
}

TEST_CASE("server parser: malformed chunked bodies fail") {
  for (std::string bad : {"zz\r\nhello\r\n0\r\n\r\n", "5\r\nhelloX\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n",
                          "\r\nhello\r\n0\r\n\r\n", "5 x\r\nhello\r\n0\r\n\r\n", "ffffffffffffffffff\r\n",
                          "0\r\nbad trailer\r\n\r\n", "5\r\nhello\r\n0\r\n: x\r\n\r\n", "5\rx\nhello\r\n"}) {
    ChunkedDecoder::Status st;
    size_t used = 0;
    decode_chunked_split(bad, bad.size(), st, used);
    CAPTURE(bad);
    CHECK(st == ChunkedDecoder::Status::failed);
  }
  ChunkedDecoder d{ParserLimits{}};
  std::string out;
  size_t used = 0;
  CHECK(d.feed(std::string(5000, '1'), used, out) == ChunkedDecoder::Status::failed);  // endless size line
}
