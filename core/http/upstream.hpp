#pragma once
// The upstream HTTP/1.1 client: TLS through OpenSSL, keep-alive pooling per origin, and a
// *pull* interface so a route handler can read the response head first (to set status and
// headers) and then relay the body chunk by chunk as it arrives. No buffering, no decoding.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/common/result.hpp"
#include "core/http/message.hpp"

namespace gw::http {

struct Origin {
  bool tls = false;
  std::string host;
  int port = 0;
  std::string base_path;  // path prefix of the base URL, without trailing '/'; may be empty
  std::string key() const;  // "https://host:port"
  std::string display() const;  // the base URL, for messages
};

// Parses "https://api.anthropic.com", "http://127.0.0.1:8080/prefix".
Result<Origin> parse_origin(std::string_view base_url);

struct UpstreamOptions {
  int connect_timeout_ms = 10'000;
  // Longest silence tolerated while waiting for response bytes. Agents pause for a long time
  // while the model thinks; Claude Code itself waits up to 600 s.
  int read_timeout_ms = 15 * 60 * 1000;
  int write_timeout_ms = 60'000;
  size_t max_idle_per_origin = 64;
  std::string ca_file;          // extra trusted CA bundle (PEM); empty: system store
  bool verify_tls = true;
};

class Connection;  // a socket, plain or TLS (upstream.cpp)

// A response being received. Destroying it before the body ended closes the connection;
// after a fully read body with keep-alive it returns the connection to the pool.
class UpstreamResponse {
public:
  ~UpstreamResponse();
  int status = 0;
  Headers headers;
  bool chunked() const { return m_chunked; }
  std::optional<int64_t> content_length() const { return m_length; }
  // Reads up to `max` body bytes (de-chunked) into out (replacing its content). Returns the
  // number of bytes read; 0 means the body ended cleanly. An error means the stream was cut or
  // timed out; the connection is then discarded.
  Result<size_t> read_body(std::string& out, size_t max = 64 * 1024);
  bool finished() const { return m_finished; }

private:
  friend class UpstreamPool;
  Result<size_t> read_raw(char* buf, size_t n);
  Result<std::string> read_line();
  std::unique_ptr<Connection> m_conn;
  class UpstreamPool* m_pool = nullptr;
  std::string m_origin_key;
  std::string m_buf;  // bytes read from the socket but not yet consumed
  size_t m_buf_pos = 0;
  bool m_chunked = false;
  std::optional<int64_t> m_length;
  int64_t m_remaining = 0;   // of the current chunk or of the content-length body
  bool m_until_close = false;
  bool m_finished = false;
  bool m_keep_alive = true;
  bool m_chunk_done = true;  // need the next chunk-size line
};

class UpstreamPool {
public:
  explicit UpstreamPool(UpstreamOptions opts);
  ~UpstreamPool();
  // Sends req to origin (req.path is appended to origin.base_path) and reads the response head.
  // Hop-by-hop headers are dropped; Host, Content-Length and Connection are set here. A request
  // on a pooled connection that turns out closed is retried once on a fresh connection (only
  // when nothing of the response was received, so it is safe).
  Result<std::unique_ptr<UpstreamResponse>> send(const Origin& origin, const Request& req);
  const UpstreamOptions& options() const { return m_opts; }

private:
  friend class UpstreamResponse;
  Result<std::unique_ptr<Connection>> connect(const Origin& origin);
  std::unique_ptr<Connection> take_idle(const std::string& key);
  void give_back(const std::string& key, std::unique_ptr<Connection> c);
  Result<std::unique_ptr<UpstreamResponse>> exchange_once(const Origin& origin, const Request& req,
                                                          std::unique_ptr<Connection> conn, bool reused);

  UpstreamOptions m_opts;
  void* m_ssl_ctx = nullptr;  // SSL_CTX*
  std::mutex m_mutex;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> m_idle;
};

}  // namespace gw::http
