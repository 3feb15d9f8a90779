#include "bench/loadgen/response_parser.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace gw::bench {

namespace {

constexpr size_t k_max_head = 64 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

void ResponseParser::reset() {
  m_state = State::head;
  m_head.clear();
  m_line.clear();
  m_remaining = 0;
  m_status = 0;
  m_keep_alive = true;
  m_sse = false;
  m_prev_newline = false;
  m_first_byte_ns = 0;
  m_done_ns = 0;
  m_body_bytes = 0;
  m_events.clear();
  m_error.clear();
}

void ResponseParser::fail(const char* why) {
  m_state = State::error;
  m_error = why;
}

void ResponseParser::finish(int64_t now_ns) {
  m_state = State::done;
  m_done_ns = now_ns;
}

size_t ResponseParser::feed(const char* p, size_t n, int64_t now_ns) {
  if (n > 0 && m_first_byte_ns == 0) m_first_byte_ns = now_ns;
  size_t used = 0;
  while (used < n && m_state != State::done && m_state != State::error) {
    const char* q = p + used;
    size_t left = n - used;
    switch (m_state) {
      case State::head:
        used += feed_head(q, left, now_ns);
        break;
      case State::body_length: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(m_remaining, left));
        body_bytes_seen(q, take, now_ns);
        m_remaining -= take;
        used += take;
        if (m_remaining == 0) finish(now_ns);
        break;
      }
      case State::body_close:
        body_bytes_seen(q, left, now_ns);
        used += left;
        break;
      case State::chunk_size:
      case State::chunk_crlf:
      case State::trailers: {
        const char* nl = static_cast<const char*>(std::memchr(q, '\n', left));
        size_t take = nl ? static_cast<size_t>(nl - q) + 1 : left;
        m_line.append(q, take);
        used += take;
        if (m_line.size() > 4096) return fail("chunk line too long"), used;
        if (!nl) break;
        std::string_view line = trim(std::string_view(m_line).substr(0, m_line.size() - 1));
        if (m_state == State::chunk_crlf) {
          if (!line.empty()) return fail("missing CRLF after chunk"), used;
          m_state = State::chunk_size;
        } else if (m_state == State::chunk_size) {
          line = line.substr(0, line.find(';'));
          uint64_t size = 0;
          if (line.empty()) return fail("empty chunk size"), used;
          for (char c : line) {
            int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
            if (d < 0 || size > (uint64_t{1} << 40)) return fail("bad chunk size"), used;
            size = size * 16 + static_cast<uint64_t>(d);
          }
          m_remaining = size;
          m_state = size == 0 ? State::trailers : State::chunk_data;
        } else if (line.empty()) {  // trailers end with a blank line
          finish(now_ns);
        }
        m_line.clear();
        break;
      }
      case State::chunk_data: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(m_remaining, left));
        body_bytes_seen(q, take, now_ns);
        m_remaining -= take;
        used += take;
        if (m_remaining == 0) m_state = State::chunk_crlf;
        break;
      }
      case State::done:
      case State::error:
        break;
    }
  }
  return used;
}

size_t ResponseParser::feed_head(const char* p, size_t n, int64_t now_ns) {
  size_t old = m_head.size();
  m_head.append(p, n);
  size_t from = old >= 3 ? old - 3 : 0;
  size_t end = m_head.find("\r\n\r\n", from);
  if (end == std::string::npos) {
    if (m_head.size() > k_max_head) fail("response head too large");
    return n;
  }
  size_t head_len = end + 4;
  size_t used = head_len - old;
  m_head.resize(head_len);
  if (!parse_head()) return used;
  if (m_status == 100) {  // interim response: parse the real one next
    m_head.clear();
    return used;
  }
  if (m_state == State::body_length && m_remaining == 0) finish(now_ns);
  return used;
}

bool ResponseParser::parse_head() {
  std::string_view head(m_head);
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") return fail("bad status line"), false;
  bool http10 = status_line.substr(5, 3) == "1.0";
  m_status = 0;
  for (size_t i = 9; i < 12; ++i) {
    char c = status_line[i];
    if (c < '0' || c > '9') return fail("bad status code"), false;
    m_status = m_status * 10 + (c - '0');
  }
  m_keep_alive = !http10;
  bool chunked = false, have_length = false;
  uint64_t length = 0;
  size_t pos = eol + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string_view::npos || e == pos) break;
    std::string_view line = head.substr(pos, e - pos);
    pos = e + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      have_length = true;
      length = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return fail("bad content-length"), false;
        length = length * 10 + static_cast<uint64_t>(c - '0');
      }
    } else if (iequals(name, "transfer-encoding")) {
      chunked = icontains(value, "chunked");
    } else if (iequals(name, "connection")) {
      if (icontains(value, "close")) m_keep_alive = false;
      else if (icontains(value, "keep-alive")) m_keep_alive = true;
    } else if (iequals(name, "content-type")) {
      m_sse = icontains(value, "text/event-stream");
    }
  }
  if (m_status == 100) return true;
  if (m_status == 204 || m_status == 304) {
    m_state = State::body_length;
    m_remaining = 0;
  } else if (chunked) {
    m_state = State::chunk_size;
  } else if (have_length) {
    m_state = State::body_length;
    m_remaining = length;
  } else {
    m_state = State::body_close;
    m_keep_alive = false;
  }
  return true;
}

void ResponseParser::body_bytes_seen(const char* p, size_t n, int64_t now_ns) {
  m_body_bytes += n;
  if (!m_sse) return;
  // An event ends at a blank line: "\n\n", "\r\n\r\n" or "\r\r" never occurs in practice.
  for (size_t i = 0; i < n; ++i) {
    char c = p[i];
    if (c == '\n') {
      if (m_prev_newline) {
        m_events.push_back(now_ns);
        m_prev_newline = false;
      } else {
        m_prev_newline = true;
      }
    } else if (c != '\r') {
      m_prev_newline = false;
    }
  }
}

void ResponseParser::on_eof(int64_t now_ns) {
  if (m_state == State::body_close) finish(now_ns);
  else if (m_state != State::done) fail(m_first_byte_ns ? "connection closed mid-response" : "connection closed before a response");
}

}  // namespace gw::bench
