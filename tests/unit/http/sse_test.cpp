#include <doctest/doctest.h>

#include <vector>

#include "core/http/sse.hpp"

using gw::http::SseEvent;
using gw::http::SseParser;

static std::vector<SseEvent> parse_in_pieces(const std::string& text, size_t split) {
  std::vector<SseEvent> out;
  SseParser p([&](const SseEvent& e) { out.push_back(e); });
  if (split == 0) {
    p.feed(text);
  } else {
    p.feed(std::string_view(text).substr(0, split));
    p.feed(std::string_view(text).substr(split));
  }
  return out;
}

TEST_CASE("SseParser: the same events whatever byte boundary splits the input, LF and CRLF") {
  for (std::string nl : {std::string("\n"), std::string("\r\n")}) {
    std::string text = "event: message_start" + nl + "data: {\"a\":1}" + nl + nl + ": keep-alive comment" + nl +
                       "data: line one" + nl + "data: line two" + nl + nl + "event: message_stop" + nl +
                       "data: {}" + nl + nl;
    for (size_t split = 0; split <= text.size(); ++split) {
      auto ev = parse_in_pieces(text, split);
      REQUIRE_MESSAGE(ev.size() == 3, "split at " << split);
      CHECK(ev[0].event == "message_start");
      CHECK(ev[0].data == "{\"a\":1}");
      CHECK(ev[1].event == "");
      CHECK(ev[1].data == "line one\nline two");
      CHECK(ev[2].event == "message_stop");
    }
  }
}

TEST_CASE("SseParser: every byte fed alone gives the same events") {
  std::string text = "event: x\r\ndata: 1\r\n\r\ndata:2\n\n";
  std::vector<SseEvent> out;
  SseParser p([&](const SseEvent& e) { out.push_back(e); });
  for (char c : text) p.feed(std::string_view(&c, 1));
  REQUIRE(out.size() == 2);
  CHECK(out[0].event == "x");
  CHECK(out[0].data == "1");
  CHECK(out[1].data == "2");  // no space after the colon is fine too
}

TEST_CASE("SseParser: an event without its blank line is not dispatched at end of stream") {
  std::vector<SseEvent> out;
  SseParser p([&](const SseEvent& e) { out.push_back(e); });
  p.feed("data: complete\n\ndata: cut off");
  p.finish();
  REQUIRE(out.size() == 1);
  CHECK(out[0].data == "complete");
}

TEST_CASE("SseParser: an oversized event is dropped and counted; the next one still arrives") {
  std::vector<SseEvent> out;
  SseParser p([&](const SseEvent& e) { out.push_back(e); }, 16);
  p.feed("data: " + std::string(100, 'x') + "\n\ndata: ok\n\n");
  REQUIRE(out.size() == 1);
  CHECK(out[0].data == "ok");
  CHECK(p.oversized_events() == 1);
}

TEST_CASE("SseParser: lone CR ends a line; events with no data are not dispatched") {
  std::vector<SseEvent> out;
  SseParser p([&](const SseEvent& e) { out.push_back(e); });
  p.feed("event: empty\r\rdata: a\r\r");
  REQUIRE(out.size() == 1);
  CHECK(out[0].data == "a");
  CHECK(out[0].event == "");
}
