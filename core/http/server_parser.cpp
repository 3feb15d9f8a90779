#include "core/http/server_parser.hpp"

#include <cstring>

namespace gw::http {

namespace {

// tchar (RFC 9110 5.6.2): the characters of a method or a header name.
bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool all_tchar(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HeadResult failed(int status, std::string message) {
  HeadResult r;
  r.state = HeadState::failed;
  r.failure = {status, std::move(message)};
  return r;
}

// Checks the request line; fills method, target, path, query, minor_version.
std::optional<ParseFailure> parse_request_line(std::string_view line, RequestHead& out) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return ParseFailure{400, "malformed request line"};
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return ParseFailure{400, "malformed request line (expected METHOD SP target SP HTTP/1.x)"};
  std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                   version = line.substr(sp2 + 1);
  if (!all_tchar(method)) return ParseFailure{400, "malformed method in the request line"};
  if (target.empty()) return ParseFailure{400, "empty request target"};
  for (unsigned char c : target)
    if (c <= 0x20 || c >= 0x7f) return ParseFailure{400, "request target has a byte that must be percent-encoded"};
  if (target.front() != '/' && !(target == "*" && method == "OPTIONS"))
    return ParseFailure{400, "request target must be a path starting with '/' (origin-form)"};
  if (version.size() != 8 || !version.starts_with("HTTP/") || version[6] != '.' || version[5] < '0' ||
      version[5] > '9' || version[7] < '0' || version[7] > '9')
    return ParseFailure{400, "malformed HTTP version in the request line"};
  if (version[5] != '1') return ParseFailure{505, "only HTTP/1.0 and HTTP/1.1 are supported"};
  out.method = std::string(method);
  out.target = std::string(target);
  size_t q = target.find('?');
  out.path = std::string(target.substr(0, q));
  out.query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
  out.minor_version = version[7] - '0';
  return std::nullopt;
}

// Applies the framing and connection headers once all headers are read.
std::optional<ParseFailure> apply_semantics(RequestHead& out) {
  int hosts = 0, transfer_encodings = 0;
  std::string_view te;
  out.keep_alive = out.minor_version >= 1;
  for (const auto& [name, value] : out.headers.items()) {
    if (iequals(name, "host")) {
      ++hosts;
    } else if (iequals(name, "content-length")) {
      if (value.empty() || value.size() > 18 || value.find_first_not_of("0123456789") != std::string::npos) {
        if (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos)
          return ParseFailure{413, "Content-Length of " + value + " bytes is far beyond any limit"};
        return ParseFailure{400, "Content-Length must be a decimal number"};
      }
      uint64_t n = std::stoull(value);
      if (out.content_length && *out.content_length != n)
        return ParseFailure{400, "conflicting Content-Length headers"};
      out.content_length = n;
    } else if (iequals(name, "transfer-encoding")) {
      ++transfer_encodings;
      te = value;
    } else if (iequals(name, "connection")) {
      std::string_view rest = value;
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view token = trim_ows(rest.substr(0, comma));
        if (iequals(token, "close")) out.keep_alive = false;
        else if (iequals(token, "keep-alive") && out.minor_version == 0) out.keep_alive = true;
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    } else if (iequals(name, "expect")) {
      if (!iequals(value, "100-continue")) return ParseFailure{417, "only the 100-continue expectation is supported"};
      out.expect_continue = out.minor_version >= 1;
    }
  }
  if (out.minor_version >= 1 && hosts != 1)
    return ParseFailure{400, hosts == 0 ? "missing Host header" : "more than one Host header"};
  if (transfer_encodings > 0) {
    if (out.content_length)
      return ParseFailure{400, "both Content-Length and Transfer-Encoding: a request must carry only one"};
    if (out.minor_version == 0) return ParseFailure{400, "Transfer-Encoding in an HTTP/1.0 request"};
    if (transfer_encodings > 1) return ParseFailure{400, "more than one Transfer-Encoding header"};
    if (!iequals(te, "chunked"))
      return ParseFailure{501, "Transfer-Encoding '" + std::string(te) + "' is not supported (send chunked or Content-Length)"};
    out.chunked = true;
  }
  return std::nullopt;
}

}  // namespace

HeadResult parse_head(std::string_view buffered, const ParserLimits& limits, RequestHead& out) {
  size_t start = 0;
  while (buffered.size() - start >= 2 && buffered[start] == '\r' && buffered[start + 1] == '\n') start += 2;
  if (start > 16) return failed(400, "too many empty lines before the request line");
  std::string_view rest = buffered.substr(start);
  size_t end = rest.find("\r\n\r\n");
  // A complete but invalid request line fails at once, without waiting for the rest of the head.
  size_t line_end = rest.find("\r\n");
  if (end == std::string_view::npos) {
    if (line_end != std::string_view::npos) {
      RequestHead probe;
      if (auto f = parse_request_line(rest.substr(0, line_end), probe)) return failed(f->status, f->message);
    }
    if (rest.size() > limits.max_head_bytes)
      return failed(431, "request header section larger than " + std::to_string(limits.max_head_bytes) + " bytes");
    return {};
  }
  if (end + 4 > limits.max_head_bytes)
    return failed(431, "request header section larger than " + std::to_string(limits.max_head_bytes) + " bytes");
  std::string_view head = rest.substr(0, end + 2);  // every line with its CRLF
  for (size_t i = 0; i < head.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(head[i]);
    if (c == '\n' && (i == 0 || head[i - 1] != '\r')) return failed(400, "bare LF in the request head");
    if (c == '\r' && (i + 1 >= head.size() || head[i + 1] != '\n')) return failed(400, "bare CR in the request head");
    if (c == 0) return failed(400, "NUL byte in the request head");
  }
  out = RequestHead();
  if (auto f = parse_request_line(head.substr(0, line_end), out)) return failed(f->status, f->message);
  size_t pos = line_end + 2;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.front() == ' ' || line.front() == '\t') return failed(400, "obsolete header line folding");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return failed(400, "header line without ':'");
    std::string_view name = line.substr(0, colon);
    if (!all_tchar(name))
      return failed(400, name.empty() || name.back() == ' ' || name.back() == '\t'
                             ? "whitespace or nothing before ':' in a header line"
                             : "invalid character in a header name");
    std::string_view value = trim_ows(line.substr(colon + 1));
    for (unsigned char c : value)
      if ((c < 0x20 && c != '\t') || c == 0x7f) return failed(400, "control character in a header value");
    if (out.headers.items().size() >= limits.max_headers)
      return failed(431, "more than " + std::to_string(limits.max_headers) + " request headers");
    out.headers.add(std::string(name), std::string(value));
  }
  if (auto f = apply_semantics(out)) return failed(f->status, f->message);
  HeadResult r;
  r.state = HeadState::complete;
  r.consumed = start + end + 4;
  return r;
}

ChunkedDecoder::Status ChunkedDecoder::fail(std::string message) {
  m_error = std::move(message);
  return Status::failed;
}

ChunkedDecoder::Status ChunkedDecoder::feed(std::string_view data, size_t& consumed, std::string& out) {
  consumed = 0;
  if (!m_error.empty()) return Status::failed;
  while (consumed < data.size() || m_state == State::done) {
    if (m_state == State::done) return Status::done;
    std::string_view in = data.substr(consumed);
    if (m_state == State::data) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(m_left, in.size()));
      out.append(in.data(), n);
      consumed += n;
      m_left -= n;
      if (m_left == 0) m_state = State::data_crlf;
      continue;
    }
    // A line: the chunk size, the CRLF after the data, or a trailer.
    size_t lf = in.find('\n');
    size_t take = lf == std::string_view::npos ? in.size() : lf + 1;
    size_t cap = m_state == State::trailer_line ? m_limits.max_trailer_bytes : m_limits.max_chunk_line;
    if (m_line.size() + take > cap + 2) return fail("chunk size line or trailer too long");
    m_line.append(in.data(), take);
    consumed += take;
    if (lf == std::string_view::npos) continue;
    if (m_line.size() < 2 || m_line[m_line.size() - 2] != '\r') return fail("bare LF in the chunked body");
    std::string_view line(m_line.data(), m_line.size() - 2);
    if (line.find('\r') != std::string_view::npos) return fail("bare CR in the chunked body");
    if (m_state == State::data_crlf) {
      if (!line.empty()) return fail("chunk data longer than its declared size");
      m_state = State::size_line;
    } else if (m_state == State::size_line) {
      uint64_t size = 0;
      size_t i = 0;
      for (; i < line.size(); ++i) {
        char c = line[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) break;
        if (i >= 15) return fail("chunk size too large");
        size = size * 16 + static_cast<uint64_t>(d);
      }
      if (i == 0) return fail("missing chunk size");
      std::string_view ext = line.substr(i);
      while (!ext.empty() && (ext.front() == ' ' || ext.front() == '\t')) ext.remove_prefix(1);
      if (!ext.empty() && ext.front() != ';') return fail("invalid chunk size");
      for (unsigned char c : ext)
        if ((c < 0x20 && c != '\t') || c == 0x7f) return fail("control character in a chunk extension");
      m_left = size;
      m_state = size == 0 ? State::trailer_line : State::data;
    } else {  // trailer_line: trailers are read and dropped
      if (line.empty()) {
        m_state = State::done;
      } else {
        m_trailer_bytes += m_line.size();
        if (m_trailer_bytes > m_limits.max_trailer_bytes) return fail("trailer section too large");
        size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0 || line.front() == ' ' || line.front() == '\t')
          return fail("malformed trailer line");
      }
    }
    m_line.clear();
  }
  return m_state == State::done ? Status::done : Status::more;
}

}  // namespace gw::http
