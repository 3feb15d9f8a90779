#include "core/http/connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gw::http {

static std::string ssl_error_text() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Status Connection::wait(bool for_write, int timeout_ms) {
  pollfd p{m_fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  for (;;) {
    int r = ::poll(&p, 1, timeout_ms);
    if (r > 0) return {};
    if (r == 0) return fail(Errc::timeout, "timed out after " + std::to_string(timeout_ms) + " ms");
    if (errno != EINTR) return fail(Errc::io, std::string("poll: ") + std::strerror(errno));
  }
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& host, int port, void* ssl_ctx,
                                                     bool verify, int connect_timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port_s = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), port_s.c_str(), &hints, &res); rc != 0)
    return fail(Errc::unavailable, "cannot resolve " + host + ": " + gai_strerror(rc));
  std::unique_ptr<Connection> c(new Connection());
  std::string last_error = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      c->m_fd = fd;
      auto w = c->wait(true, connect_timeout_ms);
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (w && err == 0) rc = 0;
      else last_error = w ? std::strerror(err) : w.error().message;
      c->m_fd = -1;
    } else if (rc != 0) {
      last_error = std::strerror(errno);
    }
    if (rc == 0) {
      c->m_fd = fd;
      break;
    }
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (c->m_fd < 0)
    return fail(Errc::unavailable, "cannot connect to " + host + ":" + port_s + ": " + last_error);
  int one = 1;
  ::setsockopt(c->m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!ssl_ctx) return c;

  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx));
  c->m_ssl = ssl;
  SSL_set_fd(ssl, c->m_fd);
  SSL_set_tlsext_host_name(ssl, host.c_str());
  if (verify) {
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    SSL_set1_host(ssl, host.c_str());
  } else {
    SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
  }
  for (;;) {
    int r = SSL_connect(ssl);
    if (r == 1) break;
    int e = SSL_get_error(ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      auto w = c->wait(e == SSL_ERROR_WANT_WRITE, connect_timeout_ms);
      if (!w) return fail(Errc::timeout, "TLS handshake with " + host + " " + w.error().message);
      continue;
    }
    long vr = SSL_get_verify_result(ssl);
    std::string why = vr != X509_V_OK ? X509_verify_cert_error_string(vr) : ssl_error_text();
    return fail(Errc::unavailable, "TLS handshake with " + host + ":" + port_s + " failed: " + why);
  }
  return c;
}

Connection::~Connection() {
  if (m_ssl) {
    SSL_free(static_cast<SSL*>(m_ssl));
  }
  if (m_fd >= 0) ::close(m_fd);
}

Status Connection::write_all(std::string_view data, int timeout_ms) {
  while (!data.empty()) {
    ssize_t n;
    if (m_ssl) {
      size_t written = 0;
      int r = SSL_write_ex(static_cast<SSL*>(m_ssl), data.data(), data.size(), &written);
      if (r == 1) {
        data.remove_prefix(written);
        continue;
      }
      int e = SSL_get_error(static_cast<SSL*>(m_ssl), r);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        GW_CHECK(wait(e == SSL_ERROR_WANT_WRITE, timeout_ms));
        continue;
      }
      return fail(Errc::io, "TLS write failed: " + ssl_error_text());
    }
    n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      GW_CHECK(wait(true, timeout_ms));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return fail(Errc::io, std::string("write failed: ") + std::strerror(errno));
    }
  }
  return {};
}

Result<size_t> Connection::read_some(char* buf, size_t n, int timeout_ms) {
  for (;;) {
    if (m_ssl) {
      size_t got = 0;
      int r = SSL_read_ex(static_cast<SSL*>(m_ssl), buf, n, &got);
      if (r == 1) return got;
      int e = SSL_get_error(static_cast<SSL*>(m_ssl), r);
      if (e == SSL_ERROR_ZERO_RETURN) return size_t{0};
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        if (auto w = wait(e == SSL_ERROR_WANT_WRITE, timeout_ms); !w) return std::unexpected(w.error());
        continue;
      }
      if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return size_t{0};  // unclean EOF
      return fail(Errc::io, "TLS read failed: " + ssl_error_text());
    }
    ssize_t r = ::recv(m_fd, buf, n, 0);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (auto w = wait(false, timeout_ms); !w) return std::unexpected(w.error());
      continue;
    }
    return fail(Errc::io, std::string("read failed: ") + std::strerror(errno));
  }
}

bool Connection::idle_usable() {
  pollfd p{m_fd, POLLIN, 0};
  int r = ::poll(&p, 1, 0);
  // Readable while idle means EOF or unexpected bytes: either way, not reusable.
  return r == 0;
}

}  // namespace gw::http
