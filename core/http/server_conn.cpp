#include "core/http/server_conn.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <openssl/ssl.h>
#include <sys/uio.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

namespace gw::http {

Status detail::wait_fd(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    int r = ::poll(&p, 1, timeout_ms);
    if (r > 0) return {};
    if (r == 0) return fail(Errc::timeout, "timed out after " + std::to_string(timeout_ms) + " ms");
    if (errno != EINTR) return fail(Errc::io, std::string("poll: ") + std::strerror(errno));
  }
}

namespace {

using detail::wait_fd;

const char* reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 529: return "Overloaded";
    default: return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error" : "Server Error";
  }
}

bool is_framing_header(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "connection") ||
         iequals(name, "keep-alive");
}

// Reads up to n bytes into buf, waiting up to timeout_ms for the first; 0: the peer closed.
Result<size_t> read_some(int fd, char* buf, size_t n, int timeout_ms) {
  for (;;) {
    ssize_t r = ::recv(fd, buf, n, 0);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return fail(Errc::io, std::string("read: ") + std::strerror(errno));
    GW_CHECK(wait_fd(fd, POLLIN, timeout_ms));
  }
}

}  // namespace

// ---- ServerConnection ----

Result<size_t> ServerConnection::fill(int timeout_ms) {
  if (m_pos == m_in.size()) {
    m_in.clear();
    m_pos = 0;
  } else if (m_pos > 64 * 1024) {
    m_in.erase(0, m_pos);
    m_pos = 0;
  }
  if (m_poll_first) {
    // Just answered a request: the next one is rarely here yet, so wait before reading instead
    // of paying a recv that fails with EAGAIN first.
    m_poll_first = false;
    if (!m_ssl || !SSL_has_pending(m_ssl)) GW_CHECK(wait_fd(m_fd, POLLIN, timeout_ms));
  }
  char buf[16 * 1024];
  GW_TRY(n, recv_some(buf, sizeof buf, timeout_ms));
  m_in.append(buf, n);
  return n;
}

Result<size_t> ServerConnection::read_direct(char* buf, size_t n, int timeout_ms) { return recv_some(buf, n, timeout_ms); }

Result<size_t> ServerConnection::recv_some(char* buf, size_t n, int timeout_ms) {
  if (m_ssl) return tls_read(buf, n, timeout_ms);
  return read_some(m_fd, buf, n, timeout_ms);
}

Status ServerConnection::send_all(std::string_view a, std::string_view b) {
  if (m_ssl) {
    if (a.empty() || b.empty()) return tls_write(a.empty() ? b : a);
    if (a.size() + b.size() > 16 * 1024) {
      GW_CHECK(tls_write(a));
      return tls_write(b);
    }
    std::string both;  // one TLS record for a head and a small body
    both.reserve(a.size() + b.size());
    both.append(a).append(b);
    return tls_write(both);
  }
  iovec iov[2] = {{const_cast<char*>(a.data()), a.size()}, {const_cast<char*>(b.data()), b.size()}};
  int first = a.empty() ? 1 : 0, count = 2;
  while (first < count) {
    msghdr msg{};
    msg.msg_iov = iov + first;
    msg.msg_iovlen = static_cast<size_t>(count - first);
    ssize_t n = ::sendmsg(m_fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        GW_CHECK(wait_fd(m_fd, POLLOUT, m_opts.write_timeout_ms));
        continue;
      }
      return fail(Errc::io, std::string("write: ") + std::strerror(errno));
    }
    auto left = static_cast<size_t>(n);
    while (first < count && left >= iov[first].iov_len) left -= iov[first++].iov_len;
    if (first < count) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return {};
}

void ServerConnection::answer_failure(const ParseFailure& f) {
  std::string body = "gw: " + f.message + "\n";
  std::string head = "HTTP/1.1 " + std::to_string(f.status) + " " + reason_phrase(f.status) +
                     "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nConnection: close\r\n\r\n";
  if (send_all(head, body)) linger_close();
}

void ServerConnection::linger_close() {
  // Closing with unread input makes the kernel send a reset, which can destroy the response
  // before the client reads it. Half-close, then read until the client closes (bounded).
  if (m_ssl) (void)SSL_shutdown(m_ssl);  // close_notify first; what follows is drained raw
  ::shutdown(m_fd, SHUT_WR);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  size_t drained = 0;
  char buf[16 * 1024];
  while (drained < 64 * 1024 * 1024) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    auto n = read_some(m_fd, buf, sizeof buf, static_cast<int>(left.count()));
    if (!n || *n == 0) return;
    drained += *n;
  }
}

void ServerConnection::run() {
  if (m_opts.tls && !tls_accept()) return;
  for (;;) {
    RequestHead head;
    HeadResult r;
    for (;;) {
      r = parse_head(buffered(), m_opts.limits, head);
      if (r.state != HeadState::incomplete) break;
      auto n = fill(buffered().empty() ? m_opts.idle_timeout_ms : m_opts.read_timeout_ms);
      if (!n || *n == 0) return;  // idle timeout, error, or the client closed
    }
    if (r.state == HeadState::failed) return answer_failure(r.failure);
    consume(r.consumed);
    body_pending = head.chunked || head.content_length.value_or(0) > 0;
    const bool head_only = head.method == "HEAD";
    ResponseWriter writer(*this, head_only, head.minor_version, head.keep_alive);
    ServerRequest req(*this, std::move(head), writer);
    try {
      m_server.m_handler(req);
    } catch (...) {
      // Handlers must not throw; if one does, the client still gets an answer or a cut.
    }
    ResponseWriter& res = req.response();
    if (!res.started()) res.send(500, {}, "text/plain", "gw: internal error: the request got no answer\n");
    if (!res.ended() || res.m_failed) return;  // a cut response: closing tells the client
    if (body_pending) return linger_close();
    if (res.m_close || m_server.m_stopping.load(std::memory_order_relaxed)) return;
    m_poll_first = true;
  }
}

// ---- ResponseWriter ----

void ResponseWriter::start(int status, const Headers& headers, std::optional<uint64_t> content_length) {
  if (m_started) return;
  m_started = true;
  m_length = content_length;
  m_head.reserve(256);
  m_head += "HTTP/1.1 ";
  m_head += std::to_string(status);
  m_head += ' ';
  m_head += reason_phrase(status);
  m_head += "\r\n";
  for (const auto& [k, v] : headers.items()) {
    if (is_framing_header(k)) continue;
    m_head += k;
    m_head += ": ";
    m_head += v;
    m_head += "\r\n";
  }
  const bool no_body = status == 204 || status == 304 || (status >= 100 && status < 200);
  if (content_length) {
    if (!no_body) {
      m_head += "Content-Length: ";
      m_head += std::to_string(*content_length);
      m_head += "\r\n";
    }
  } else if (!no_body) {
    if (m_minor >= 1) {
      m_head += "Transfer-Encoding: chunked\r\n";
      m_chunked = !m_head_only;
    } else {
      m_close = true;  // HTTP/1.0: the body ends when the connection closes
      m_close_delimited = true;
    }
  }
  if (no_body) m_head_only = true;
}

bool ResponseWriter::flush_head(std::string_view first_data, bool last) {
  if (m_close || m_conn.body_pending) {
    m_close = true;
    m_head += "Connection: close\r\n";
  } else if (m_minor == 0) {
    m_head += "Connection: keep-alive\r\n";
  }
  m_head += "\r\n";
  m_head_sent = true;
  if (m_chunked && !first_data.empty()) {
    char size[24];
    int n = std::snprintf(size, sizeof size, "%zx\r\n", first_data.size());
    m_head.append(size, static_cast<size_t>(n));
    m_head.append(first_data);
    m_head += last ? "\r\n0\r\n\r\n" : "\r\n";
    first_data = {};
  } else if (m_chunked && last) {
    m_head += "0\r\n\r\n";
  }
  if (!m_conn.send_all(m_head, first_data)) m_failed = true;
  m_head.clear();
  m_head.shrink_to_fit();
  return !m_failed;
}

bool ResponseWriter::write(std::string_view data) {
  if (!m_started) start(200, {}, std::nullopt);
  if (m_failed || m_ended) return false;
  if (m_head_only) data = {};
  if (m_length && m_written + data.size() > *m_length) {
    m_failed = true;  // more than announced: the framing would break; cut instead
    return false;
  }
  m_written += data.size();
  if (!m_head_sent) return flush_head(data, false);
  if (data.empty()) return true;
  if (m_chunked) {
    char size[24];
    int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    std::string frame(size, static_cast<size_t>(n));
    frame.append(data);
    frame += "\r\n";
    if (!m_conn.send_all(frame)) m_failed = true;
  } else if (!m_conn.send_all(data)) {
    m_failed = true;
  }
  return !m_failed;
}

bool ResponseWriter::end() {
  if (!m_started) start(200, {}, uint64_t{0});
  if (m_failed) return false;
  if (m_ended) return true;
  if (m_length && !m_head_only && m_written != *m_length) {
    m_failed = true;  // shorter than announced: the client must see a cut, not a short body
    return false;
  }
  if (!m_head_sent) {
    if (!flush_head({}, true)) return false;
  } else if (m_chunked && !m_conn.send_all("0\r\n\r\n")) {
    m_failed = true;
    return false;
  }
  m_ended = true;
  return true;
}

bool ResponseWriter::send(int status, const Headers& headers, std::string_view content_type, std::string_view body) {
  if (content_type.empty() || headers.has("content-type")) {
    start(status, headers, body.size());
  } else {
    Headers h = headers;
    h.add("Content-Type", std::string(content_type));
    start(status, h, body.size());
  }
  if (!m_head_only && !body.empty() && !write(body)) return false;
  return end();
}

// ---- ServerRequest ----

Result<std::string> ServerRequest::read_body(size_t max_bytes) {
  if (m_body_read) return fail(Errc::internal, "the request body was already read");
  m_body_read = true;
  ServerConnection& c = m_conn;
  const int timeout = c.opts().read_timeout_ms;
  if (!m_head.chunked && m_head.content_length.value_or(0) == 0) return std::string();
  if (m_head.content_length && *m_head.content_length > max_bytes)
    return fail(Errc::denied, "request body of " + std::to_string(*m_head.content_length) +
                                  " bytes exceeds the limit of " + std::to_string(max_bytes) + " bytes");
  if (m_head.expect_continue && c.buffered().empty()) GW_CHECK(c.send_all("HTTP/1.1 100 Continue\r\n\r\n"));
  std::string body;
  if (m_head.content_length) {
    auto n = static_cast<size_t>(*m_head.content_length);
    std::optional<Error> failure;
    // Sized without zero-filling (a 100 KB memset was 16% of a large request's instructions),
    // then filled from the buffer and straight from the socket: no second copy either.
    body.resize_and_overwrite(n, [&](char* out, size_t) {
      size_t got = std::min(n, c.buffered().size());
      std::memcpy(out, c.buffered().data(), got);
      c.consume(got);
      while (got < n) {
        auto r = c.read_direct(out + got, n - got, timeout);
        if (!r) {
          failure = Error{r.error().code, "reading the request body: " + r.error().message};
          break;
        }
        if (*r == 0) {
          failure = Error{Errc::io, "the client closed the connection inside the request body"};
          break;
        }
        got += *r;
      }
      return got;
    });
    if (failure) return std::unexpected(*failure);
    c.body_pending = false;
    return body;
  }
  ChunkedDecoder decoder(c.opts().limits);
  for (;;) {
    size_t used = 0;
    auto st = decoder.feed(c.buffered(), used, body);
    c.consume(used);
    if (body.size() > max_bytes)
      return fail(Errc::denied, "request body exceeds the limit of " + std::to_string(max_bytes) + " bytes");
    if (st == ChunkedDecoder::Status::done) break;
    if (st == ChunkedDecoder::Status::failed) return fail(Errc::protocol, "malformed chunked body: " + decoder.error());
    auto more = c.fill(timeout);
    if (!more) return fail(more.error().code, "reading the request body: " + more.error().message);
    if (*more == 0) return fail(Errc::io, "the client closed the connection inside the request body");
  }
  c.body_pending = false;
  return body;
}

}  // namespace gw::http
