#pragma once
// Internal to gw::http::Server: the server side of one client connection. Owns the socket's
// input buffer (bytes of a pipelined next request stay in it) and does every read and write of
// the connection with poll() deadlines.
#include <string>
#include <string_view>

#include "core/common/result.hpp"
#include "core/http/server.hpp"

namespace gw::http {

class Connection {
public:
  Connection(Server& server, int fd) : m_server(server), m_opts(server.m_opts), m_fd(fd) {}
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
  Server& m_server;
  const ServerOptions& m_opts;
  int m_fd;
  std::string m_in;
  size_t m_pos = 0;
  bool m_poll_first = false;  // the next fill() waits before its first recv
};

}  // namespace gw::http
