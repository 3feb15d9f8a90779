#pragma once
// gw's own HTTP/1.1 server (loopback listeners, and with TLS the central's provider proxy): one accept thread, an elastic pool of workers
// (a connection holds a worker while it is open, so a long stream never stalls other requests),
// buffered parsing (server_parser.hpp), keep-alive and pipelining, Expect: 100-continue, and
// responses written as the handler produces them (Content-Length or chunked). Waiting is done in
// poll() with deadlines; nothing sleeps. ADR 0039 says why gw has its own server.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "core/common/result.hpp"
#include "core/http/server_parser.hpp"
#include "core/http/tls_server.hpp"

namespace gw::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // a numeric address
  int port = 0;                     // 0: any free port
  size_t min_threads = 8;
  size_t max_threads = 1024;        // connections beyond this wait for a worker
  int idle_timeout_ms = 300'000;    // keep-alive: how long an idle connection stays open
  int read_timeout_ms = 120'000;    // inside a request: the longest pause between bytes
  int write_timeout_ms = 600'000;   // a client that stops reading this long is dropped
  ParserLimits limits;
  // When set, every connection speaks TLS (handshake within read_timeout_ms); null: plain HTTP.
  std::shared_ptr<const TlsServerContext> tls;
};

class ServerConnection;  // the server side of one client connection (server.cpp)

// The response to one request. Either send() a complete one, or start() then write() as many
// times as needed, then end(). A handler that returns without end() after start() leaves the
// response cut: the server closes the connection, which is how the client learns of it.
class ResponseWriter {
public:
  // Status and headers, sent with the first write() (or by end()). content_length: the body's
  // exact size; nullopt: chunked (close-delimited for an HTTP/1.0 client). The server adds
  // the framing and Connection headers; handlers must not pass them.
  void start(int status, const Headers& headers, std::optional<uint64_t> content_length);
  // Sends data now (with the head first if still pending). False: the client is gone or the
  // write timed out; the handler should stop producing.
  bool write(std::string_view data);
  // Ends the body (the chunked terminator) and flushes. False when the client is gone.
  bool end();
  // start() + write() + end() for a complete body; content_type may be empty.
  bool send(int status, const Headers& headers, std::string_view content_type, std::string_view body);
  // Closes the connection after this response (e.g. after refusing a body the client still sends).
  void close_after() { m_close = true; }
  bool started() const { return m_started; }
  bool ended() const { return m_ended; }

private:
  friend class ServerConnection;
  ResponseWriter(ServerConnection& conn, bool head_only, int minor_version, bool keep_alive)
      : m_conn(conn), m_head_only(head_only), m_minor(minor_version), m_close(!keep_alive) {}
  bool flush_head(std::string_view first_data, bool last);
  ServerConnection& m_conn;
  bool m_head_only;
  int m_minor;
  bool m_close;
  bool m_started = false, m_head_sent = false, m_ended = false, m_failed = false;
  bool m_chunked = false, m_close_delimited = false;
  std::optional<uint64_t> m_length;
  uint64_t m_written = 0;
  std::string m_head;
};

// One request as the handler sees it: the head, a body reader, and the response.
class ServerRequest {
public:
  const RequestHead& head() const { return m_head; }
  RequestHead& head() { return m_head; }
  // Reads the whole body (Content-Length or chunked) up to max_bytes, sending 100 Continue first
  // when the client asked for it. Errors: Errc::denied when the body exceeds max_bytes (answer
  // 413; the connection will be closed), Errc::protocol for a malformed chunked body,
  // Errc::timeout / Errc::io when the client stalls or leaves.
  Result<std::string> read_body(size_t max_bytes);
  // The declared body size when known before reading (Content-Length).
  std::optional<uint64_t> declared_length() const { return m_head.content_length; }
  ResponseWriter& response() { return m_response; }

private:
  friend class ServerConnection;
  ServerRequest(ServerConnection& conn, RequestHead head, ResponseWriter response)
      : m_conn(conn), m_head(std::move(head)), m_response(response) {}
  ServerConnection& m_conn;
  RequestHead m_head;
  ResponseWriter m_response;
  bool m_body_read = false;
};

// Called on a worker thread for each request, in order per connection. Must not throw.
using Handler = std::function<void(ServerRequest&)>;

class ServerPool;

class Server {
public:
  Server(ServerOptions opts, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Binds (SO_REUSEADDR, never SO_REUSEPORT: a second server must not share the port), listens
  // with a SOMAXCONN backlog and starts accepting; returns the bound port.
  Result<int> start();
  // Stops accepting, closes every connection (streams in progress are cut) and waits for the
  // workers. Idempotent.
  void stop();
  int port() const { return m_port; }

private:
  friend class ServerConnection;
  void accept_loop();
  void serve(int fd);
  ServerOptions m_opts;
  Handler m_handler;
  int m_listen_fd = -1;
  int m_wake_fd[2] = {-1, -1};  // a pipe: stop() wakes the accept thread through it
  int m_port = 0;
  std::atomic<bool> m_stopping{false};
  std::unique_ptr<ServerPool> m_pool;
  std::thread m_accept;
  std::mutex m_conns_mutex;
  std::unordered_set<int> m_conns;  // open client sockets, shut down by stop()
};

}  // namespace gw::http
