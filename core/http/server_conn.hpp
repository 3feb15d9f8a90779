#pragma once
// Internal to gw::http::Server: the server side of one client connection. Owns the socket's
// input buffer (bytes of a pipelined next request stay in it) and does every read and write of
// the connection with poll() deadlines.
#include <string>
#include <string_view>

#include "core/common/result.hpp"
#include "core/http/server.hpp"

typedef struct ssl_st SSL;

namespace gw::http {

namespace detail {
// Waits until fd is ready for `events` (POLLIN/POLLOUT); Errc::timeout after timeout_ms.
Status wait_fd(int fd, short events, int timeout_ms);
}  // namespace detail

class ServerConnection {
public:
  ServerConnection(Server& server, int fd) : m_server(server), m_opts(server.m_opts), m_fd(fd) {}
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;
  // Serves requests until the client closes, a timeout passes, an error occurs or a response
  // asks to close. The caller closes the socket.
  void run();

  // Reads more bytes into the input buffer, waiting up to timeout_ms; 0: the peer closed.
  Result<size_t> fill(int timeout_ms);
  // Reads up to n bytes into buf, bypassing the buffer (which must be empty); 0: the peer closed.
  Result<size_t> read_direct(char* buf, size_t n, int timeout_ms);
  // Writes a then b (either may be empty) in one system call when possible.
  Status send_all(std::string_view a, std::string_view b = {});
  std::string_view buffered() const { return std::string_view(m_in).substr(m_pos); }
  void consume(size_t n) { m_pos += n; }
  const ServerOptions& opts() const { return m_opts; }
  // True while the current request's body has not been read: the response then closes the
  // connection (the next request's start cannot be found).
  bool body_pending = false;

private:
  void answer_failure(const ParseFailure& f);
  void linger_close();  // half-closes and drains what the client still sends, briefly
  // With TLS: the handshake, bounded by read_timeout_ms. False: no usable connection.
  bool tls_accept();
  // Reads up to n bytes (through TLS when on), waiting up to timeout_ms; 0: the peer closed.
  Result<size_t> recv_some(char* buf, size_t n, int timeout_ms);
  // TLS halves of recv_some and send_all (server_tls.cpp).
  Result<size_t> tls_read(char* buf, size_t n, int timeout_ms);
  Status tls_write(std::string_view data);
  Server& m_server;
  const ServerOptions& m_opts;
  int m_fd;
  std::string m_in;
  size_t m_pos = 0;
  bool m_poll_first = false;  // the next fill() waits before its first recv
  SSL* m_ssl = nullptr;       // the TLS session when the server has a TlsServerContext
};

}  // namespace gw::http
