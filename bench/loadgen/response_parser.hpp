#pragma once
// Incremental HTTP/1.1 response parser for the load generator. It is fed the bytes of one
// response as they arrive (with the time they arrived) and records when the first byte came and,
// for `text/event-stream` bodies, when each server-sent event was complete. Bodies are framed by
// Content-Length, chunked transfer encoding, or the connection closing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gw::bench {

class ResponseParser {
public:
  // Forget everything; the next feed() starts a new response.
  void reset();

  // Consumes bytes of the current response, all received at `now_ns`. Returns how many bytes
  // were consumed: fewer than `n` only once the response is done (the rest would belong to a
  // pipelined next response) or failed.
  size_t feed(const char* p, size_t n, int64_t now_ns);

  // The peer closed the connection: completes a body framed by connection close, else fails.
  void on_eof(int64_t now_ns);

  bool done() const { return m_state == State::done; }
  bool failed() const { return m_state == State::error; }
  bool started() const { return m_first_byte_ns != 0; }
  int status() const { return m_status; }
  // False when the server asked to close (Connection: close, HTTP/1.0 without keep-alive, or a
  // body framed by close).
  bool keep_alive() const { return m_keep_alive; }
  bool is_sse() const { return m_sse; }
  int64_t first_byte_ns() const { return m_first_byte_ns; }
  int64_t done_ns() const { return m_done_ns; }
  // Completion time of each SSE event (blank-line terminated), in order.
  const std::vector<int64_t>& event_ns() const { return m_events; }
  uint64_t body_bytes() const { return m_body_bytes; }
  const std::string& error() const { return m_error; }

private:
  enum class State { head, body_length, chunk_size, chunk_data, chunk_crlf, trailers, body_close, done, error };

  size_t feed_head(const char* p, size_t n, int64_t now_ns);
  bool parse_head();
  void body_bytes_seen(const char* p, size_t n, int64_t now_ns);
  void finish(int64_t now_ns);
  void fail(const char* why);

  State m_state = State::head;
  std::string m_head;   // status line and headers, until the blank line
  std::string m_line;   // a chunk-size or trailer line being assembled
  uint64_t m_remaining = 0;
  int m_status = 0;
  bool m_keep_alive = true;
  bool m_sse = false;
  bool m_prev_newline = false;  // SSE scanner: last significant byte was '\n'
  int64_t m_first_byte_ns = 0;
  int64_t m_done_ns = 0;
  uint64_t m_body_bytes = 0;
  std::vector<int64_t> m_events;
  std::string m_error;
};

}  // namespace gw::bench
