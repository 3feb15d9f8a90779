#pragma once
// Incremental Server-Sent Events parser (WHATWG HTML "event stream" rules). It taps a byte
// stream that is relayed unchanged elsewhere: it never rewrites bytes, it only reports events.
#include <functional>
#include <string>
#include <string_view>

namespace gw::http {

struct SseEvent {
  std::string event;  // the "event:" field; empty when absent (meaning "message")
  std::string data;   // "data:" lines joined with '\n'
  std::string id;
};

class SseParser {
public:
  using Callback = std::function<void(const SseEvent&)>;
  // max_event_bytes bounds memory: an event larger than that is dropped (not reported) and
  // counted in oversized_events(); the stream itself is unaffected.
  explicit SseParser(Callback on_event, size_t max_event_bytes = 16 * 1024 * 1024);

  // Feeds the next chunk of bytes; chunks may split lines, CRLF pairs or UTF-8 anywhere.
  // Calls on_event for each complete event (terminated by a blank line).
  void feed(std::string_view bytes);
  // Called at end of stream; a trailing event without its blank line is NOT dispatched (per spec).
  void finish();
  size_t events() const { return m_events; }
  size_t oversized_events() const { return m_oversized; }

private:
  void line(std::string_view l);
  void dispatch();

  Callback m_on_event;
  size_t m_max;
  std::string m_line;       // partial line carried between feeds
  bool m_after_cr = false;  // last byte fed was '\r' (a following '\n' belongs to it)
  SseEvent m_current;
  bool m_has_data = false;
  bool m_oversized_now = false;
  size_t m_current_bytes = 0;
  size_t m_events = 0;
  size_t m_oversized = 0;
};

}  // namespace gw::http
