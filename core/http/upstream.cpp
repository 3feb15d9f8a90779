#include "core/http/upstream.hpp"

#include <openssl/ssl.h>

#include <charconv>
#include <cstring>

#include "core/http/connection.hpp"

namespace gw::http {

std::string Origin::key() const {
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

std::string Origin::display() const {
  bool default_port = (tls && port == 443) || (!tls && port == 80);
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "https://" : "http://") + h +
         (default_port ? "" : ":" + std::to_string(port)) + base_path;
}

Result<Origin> parse_origin(std::string_view url) {
  Origin o;
  if (url.starts_with("https://")) {
    o.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return fail(Errc::config, "base URL must start with http:// or https://: " + std::string(url));
  }
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : url.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  o.base_path = std::string(path);
  std::string_view port_s;
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail(Errc::config, "bad IPv6 host in " + std::string(url));
    o.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') port_s = authority.substr(close + 2);
  } else {
    size_t colon = authority.rfind(':');
    o.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_s = authority.substr(colon + 1);
  }
  if (o.host.empty()) return fail(Errc::config, "base URL has no host: " + std::string(url));
  o.port = o.tls ? 443 : 80;
  if (!port_s.empty()) {
    auto [p, ec] = std::from_chars(port_s.data(), port_s.data() + port_s.size(), o.port);
    if (ec != std::errc() || p != port_s.data() + port_s.size() || o.port <= 0 || o.port > 65535)
      return fail(Errc::config, "bad port in base URL: " + std::string(url));
  }
  return o;
}

UpstreamPool::UpstreamPool(UpstreamOptions opts) : m_opts(std::move(opts)) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_default_verify_paths(ctx);
  if (!m_opts.ca_file.empty()) SSL_CTX_load_verify_locations(ctx, m_opts.ca_file.c_str(), nullptr);
  SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
  m_ssl_ctx = ctx;
}

UpstreamPool::~UpstreamPool() {
  m_idle.clear();
  SSL_CTX_free(static_cast<SSL_CTX*>(m_ssl_ctx));
}

Result<std::unique_ptr<Connection>> UpstreamPool::connect(const Origin& origin) {
  return Connection::open(origin.host, origin.port, origin.tls ? m_ssl_ctx : nullptr, m_opts.verify_tls,
                          m_opts.connect_timeout_ms);
}

std::unique_ptr<Connection> UpstreamPool::take_idle(const std::string& key) {
  std::lock_guard lock(m_mutex);
  auto it = m_idle.find(key);
  while (it != m_idle.end() && !it->second.empty()) {
    auto c = std::move(it->second.back());
    it->second.pop_back();
    if (c->idle_usable()) return c;
  }
  return nullptr;
}

void UpstreamPool::give_back(const std::string& key, std::unique_ptr<Connection> c) {
  std::lock_guard lock(m_mutex);
  auto& list = m_idle[key];
  if (list.size() < m_opts.max_idle_per_origin) list.push_back(std::move(c));
}

static std::string serialize_head(const Origin& origin, const Request& req) {
  std::string head;
  head.reserve(1024);
  head += req.method;
  head += ' ';
  head += origin.base_path;
  head += req.path.empty() ? "/" : req.path;
  if (!req.query.empty()) {
    head += '?';
    head += req.query;
  }
  head += " HTTP/1.1\r\nHost: ";
  bool default_port = (origin.tls && origin.port == 443) || (!origin.tls && origin.port == 80);
  head += origin.host.find(':') != std::string::npos ? "[" + origin.host + "]" : origin.host;
  if (!default_port) head += ":" + std::to_string(origin.port);
  head += "\r\n";
  for (const auto& [k, v] : req.headers.items()) {
    if (is_hop_by_hop(k) || iequals(k, "host") || iequals(k, "content-length")) continue;
    head += k;
    head += ": ";
    head += v;
    head += "\r\n";
  }
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH")
    head += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  head += "Connection: keep-alive\r\n\r\n";
  return head;
}

Result<std::unique_ptr<UpstreamResponse>> UpstreamPool::send(const Origin& origin, const Request& req) {
  std::string key = origin.key();
  if (auto idle = take_idle(key)) {
    auto r = exchange_once(origin, req, std::move(idle), true);
    // A pooled connection the server closed meanwhile fails before any response byte: retry
    // once on a fresh connection. Anything else is returned as is.
    if (r || r.error().code != Errc::unavailable) return r;
  }
  GW_TRY(conn, connect(origin));
  return exchange_once(origin, req, std::move(conn), false);
}

Result<std::unique_ptr<UpstreamResponse>> UpstreamPool::exchange_once(const Origin& origin, const Request& req,
                                                                      std::unique_ptr<Connection> conn,
                                                                      bool reused) {
  std::string head = serialize_head(origin, req);
  auto stale = [&](const Error& e) -> Error {
    return reused ? Error{Errc::unavailable, e.message} : Error{Errc::io, e.message};
  };
  // Small bodies go out with the head in one write (one TCP segment when possible).
  if (req.body.size() <= 16 * 1024) {
    head += req.body;
    if (auto w = conn->write_all(head, m_opts.write_timeout_ms); !w) return std::unexpected(stale(w.error()));
  } else {
    if (auto w = conn->write_all(head, m_opts.write_timeout_ms); !w) return std::unexpected(stale(w.error()));
    if (auto w = conn->write_all(req.body, m_opts.write_timeout_ms); !w)
      return fail(Errc::io, "sending the request body to " + origin.display() + ": " + w.error().message);
  }

  auto resp = std::unique_ptr<UpstreamResponse>(new UpstreamResponse());
  resp->m_conn = std::move(conn);
  resp->m_pool = this;
  resp->m_origin_key = origin.key();
  // Status line (skipping 1xx interim responses).
  for (;;) {
    auto line = resp->read_line();
    if (!line) {
      if (reused && resp->m_buf.empty()) return fail(Errc::unavailable, line.error().message);
      return fail(line.error().code, "reading the response from " + origin.display() + ": " + line.error().message);
    }
    std::string_view l = *line;
    if (!l.starts_with("HTTP/1.")) return fail(Errc::protocol, origin.display() + " did not answer with HTTP/1.x");
    int status = 0;
    if (l.size() < 12 || std::from_chars(l.data() + 9, l.data() + 12, status).ec != std::errc())
      return fail(Errc::protocol, "bad status line from " + origin.display());
    resp->status = status;
    bool http10 = l.starts_with("HTTP/1.0");
    resp->headers = Headers();
    for (;;) {
      GW_TRY(h, resp->read_line());
      if (h.empty()) break;
      size_t colon = h.find(':');
      if (colon == std::string::npos) return fail(Errc::protocol, "bad header line from " + origin.display());
      std::string_view v = std::string_view(h).substr(colon + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      resp->headers.add(h.substr(0, colon), std::string(v));
    }
    if (status >= 100 && status < 200) continue;
    auto conn_h = resp->headers.get("connection");
    resp->m_keep_alive = !http10 && !(conn_h && iequals(*conn_h, "close"));
    break;
  }
  auto te = resp->headers.get("transfer-encoding");
  auto cl = resp->headers.get("content-length");
  if (req.method == "HEAD" || resp->status == 204 || resp->status == 304) {
    resp->m_length = 0;
    resp->m_finished = true;
  } else if (te && te->find("chunked") != std::string_view::npos) {
    resp->m_chunked = true;
  } else if (cl) {
    int64_t n = 0;
    if (std::from_chars(cl->data(), cl->data() + cl->size(), n).ec != std::errc() || n < 0)
      return fail(Errc::protocol, "bad Content-Length from " + origin.display());
    resp->m_length = n;
    resp->m_remaining = n;
    resp->m_finished = n == 0;
  } else {
    resp->m_until_close = true;
    resp->m_keep_alive = false;
  }
  if (resp->m_finished && resp->m_keep_alive && resp->m_buf_pos == resp->m_buf.size())
    give_back(resp->m_origin_key, std::move(resp->m_conn));
  return resp;
}

UpstreamResponse::~UpstreamResponse() = default;

Result<size_t> UpstreamResponse::read_raw(char* out, size_t n) {
  if (m_buf_pos < m_buf.size()) {
    size_t k = std::min(n, m_buf.size() - m_buf_pos);
    std::memcpy(out, m_buf.data() + m_buf_pos, k);
    m_buf_pos += k;
    return k;
  }
  return m_conn->read_some(out, n, m_pool->options().read_timeout_ms);
}

Result<std::string> UpstreamResponse::read_line() {
  for (;;) {
    size_t nl = m_buf.find('\n', m_buf_pos);
    if (nl != std::string::npos) {
      size_t end = nl > m_buf_pos && m_buf[nl - 1] == '\r' ? nl - 1 : nl;
      std::string line = m_buf.substr(m_buf_pos, end - m_buf_pos);
      m_buf_pos = nl + 1;
      if (m_buf_pos == m_buf.size()) {
        m_buf.clear();
        m_buf_pos = 0;
      }
      return line;
    }
    if (m_buf.size() - m_buf_pos > 64 * 1024) return fail(Errc::protocol, "response header line too long");
    char tmp[16 * 1024];
    GW_TRY(n, m_conn->read_some(tmp, sizeof tmp, m_pool->options().read_timeout_ms));
    if (n == 0) return fail(Errc::io, "connection closed by the upstream");
    if (m_buf_pos > 0) {
      m_buf.erase(0, m_buf_pos);
      m_buf_pos = 0;
    }
    m_buf.append(tmp, n);
  }
}

Result<size_t> UpstreamResponse::read_body(std::string& out, size_t max) {
  out.clear();
  if (m_finished) return size_t{0};
  auto finish = [&]() {
    m_finished = true;
    if (m_keep_alive && m_buf_pos == m_buf.size() && m_conn) m_pool->give_back(m_origin_key, std::move(m_conn));
  };
  if (m_chunked && m_chunk_done) {
    GW_TRY(size_line, read_line());
    int64_t size = 0;
    auto semi = size_line.find(';');
    std::string_view hex = std::string_view(size_line).substr(0, semi);
    while (!hex.empty() && hex.back() == ' ') hex.remove_suffix(1);
    if (hex.empty() || std::from_chars(hex.data(), hex.data() + hex.size(), size, 16).ec != std::errc() || size < 0) {
      m_keep_alive = false;
      return fail(Errc::protocol, "bad chunk size from the upstream");
    }
    if (size == 0) {
      for (;;) {  // trailers
        GW_TRY(t, read_line());
        if (t.empty()) break;
      }
      finish();
      return size_t{0};
    }
    m_remaining = size;
    m_chunk_done = false;
  }
  size_t want = max;
  if (!m_until_close) want = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(max), m_remaining));
  out.resize(want);
  GW_TRY(n, read_raw(out.data(), want));
  out.resize(n);
  if (n == 0) {
    if (m_until_close) {
      m_finished = true;
      return size_t{0};
    }
    m_keep_alive = false;
    return fail(Errc::io, "the upstream closed the connection before the response ended");
  }
  if (!m_until_close) {
    m_remaining -= static_cast<int64_t>(n);
    if (m_remaining == 0) {
      if (m_chunked) {
        GW_TRY(crlf, read_line());
        if (!crlf.empty()) return fail(Errc::protocol, "chunk not followed by CRLF");
        m_chunk_done = true;
      } else {
        finish();
      }
    }
  }
  return n;
}

}  // namespace gw::http
