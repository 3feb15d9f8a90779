// The TLS side of a server connection (server_conn.hpp). The socket is non-blocking: every
// OpenSSL call that would block is retried after poll() says the socket is ready in the direction
// OpenSSL asked for, under the same deadlines as plain connections.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

#include "core/http/server_conn.hpp"

namespace gw::http {

namespace {

// What to do after an OpenSSL I/O call returned r <= 0.
enum class Next { wait_read, wait_write, closed, failed };

Next classify(SSL* ssl, int r, std::string& why) {
  switch (SSL_get_error(ssl, r)) {
    case SSL_ERROR_WANT_READ: return Next::wait_read;
    case SSL_ERROR_WANT_WRITE: return Next::wait_write;
    case SSL_ERROR_ZERO_RETURN: return Next::closed;
    case SSL_ERROR_SYSCALL:
      if (errno == EINTR) return Next::wait_read;
      why = errno ? std::strerror(errno) : "connection closed";
      ERR_clear_error();
      return errno ? Next::failed : Next::closed;
    default: {
      char buf[256];
      ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
      ERR_clear_error();
      why = buf;
      return Next::failed;
    }
  }
}

}  // namespace

ServerConnection::~ServerConnection() {
  if (m_ssl) SSL_free(m_ssl);
}

bool ServerConnection::tls_accept() {
  m_ssl = SSL_new(m_opts.tls->native());
  if (!m_ssl || SSL_set_fd(m_ssl, m_fd) != 1) return false;
  for (;;) {
    ERR_clear_error();
    int r = SSL_accept(m_ssl);
    if (r == 1) return true;
    std::string why;
    switch (classify(m_ssl, r, why)) {
      case Next::wait_read:
        if (!detail::wait_fd(m_fd, POLLIN, m_opts.read_timeout_ms)) return false;
        break;
      case Next::wait_write:
        if (!detail::wait_fd(m_fd, POLLOUT, m_opts.write_timeout_ms)) return false;
        break;
      default: return false;  // not TLS, a refused certificate, or the client left
    }
  }
}

Result<size_t> ServerConnection::tls_read(char* buf, size_t n, int timeout_ms) {
  for (;;) {
    ERR_clear_error();
    size_t got = 0;
    int r = SSL_read_ex(m_ssl, buf, n, &got);
    if (r == 1) return got;
    std::string why;
    switch (classify(m_ssl, r, why)) {
      case Next::wait_read: GW_CHECK(detail::wait_fd(m_fd, POLLIN, timeout_ms)); break;
      case Next::wait_write: GW_CHECK(detail::wait_fd(m_fd, POLLOUT, timeout_ms)); break;
      case Next::closed: return size_t{0};
      case Next::failed: return fail(Errc::io, "TLS read: " + why);
    }
  }
}

Status ServerConnection::tls_write(std::string_view data) {
  while (!data.empty()) {
    ERR_clear_error();
    size_t put = 0;
    int r = SSL_write_ex(m_ssl, data.data(), data.size(), &put);
    if (r == 1) {
      data.remove_prefix(put);
      continue;
    }
    std::string why;
    switch (classify(m_ssl, r, why)) {
      case Next::wait_read: GW_CHECK(detail::wait_fd(m_fd, POLLIN, m_opts.write_timeout_ms)); break;
      case Next::wait_write: GW_CHECK(detail::wait_fd(m_fd, POLLOUT, m_opts.write_timeout_ms)); break;
      case Next::closed: return fail(Errc::io, "TLS write: the client closed the connection");
      case Next::failed: return fail(Errc::io, "TLS write: " + why);
    }
  }
  return {};
}

}  // namespace gw::http
