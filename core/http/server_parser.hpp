#pragma once
// The request side of gw's HTTP/1.1 server (RFC 9112), without I/O: a head parser over the bytes
// buffered so far and an incremental chunked-body decoder. Both are strict where leniency lets a
// proxy and its upstream disagree about message boundaries (request smuggling): CRLF line ends
// only, no obs-fold, no whitespace before ':', Content-Length digits only, Content-Length and
// Transfer-Encoding together refused, only the `chunked` coding accepted.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/http/message.hpp"

namespace gw::http {

struct ParserLimits {
  size_t max_head_bytes = 64 * 1024;  // request line + headers + the blank line
  size_t max_headers = 256;
  size_t max_chunk_line = 4096;       // a chunk-size line with its extensions
  size_t max_trailer_bytes = 16 * 1024;
};

// The request line and headers of one request.
struct RequestHead {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // target up to '?', not decoded (forwarded byte for byte)
  std::string query;   // after '?', without it; may be empty
  int minor_version = 1;  // HTTP/1.minor
  Headers headers;        // as sent, Content-Length and Transfer-Encoding included
  bool keep_alive = true;
  bool chunked = false;
  std::optional<uint64_t> content_length;  // absent: no body unless chunked
  bool expect_continue = false;            // Expect: 100-continue
};

// A request the server answers itself, with this status, and then closes the connection.
struct ParseFailure {
  int status = 400;     // 400, 413, 414, 417, 431, 501 or 505
  std::string message;  // says what was wrong, for the client
};

enum class HeadState { incomplete, complete, failed };

struct HeadResult {
  HeadState state = HeadState::incomplete;
  size_t consumed = 0;  // complete: bytes of the head, the blank line included
  ParseFailure failure;  // failed: why
};

// Parses the head at the start of buffered when it is all there. Leading empty lines before the
// request line are skipped (RFC 9112 2.2). Incomplete while no blank line ends it and the bytes
// stay within the limit; then 431.
HeadResult parse_head(std::string_view buffered, const ParserLimits& limits, RequestHead& out);

// Decodes a chunked body incrementally: feed() any split of the bytes; decoded data is appended.
class ChunkedDecoder {
public:
  explicit ChunkedDecoder(const ParserLimits& limits) : m_limits(limits) {}
  enum class Status { more, done, failed };
  // Consumes bytes from data (sets consumed), appends decoded bytes to out. done: the last chunk
  // and the trailers were read; bytes after them (a pipelined request) are not consumed.
  Status feed(std::string_view data, size_t& consumed, std::string& out);
  const std::string& error() const { return m_error; }

private:
  enum class State { size_line, data, data_crlf, trailer_line, done };
  Status fail(std::string message);
  ParserLimits m_limits;
  State m_state = State::size_line;
  std::string m_line;  // the size or trailer line gathered so far
  uint64_t m_left = 0;
  size_t m_trailer_bytes = 0;
  std::string m_error;
};

}  // namespace gw::http
