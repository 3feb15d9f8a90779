#include "tests/support/fake_provider/recording_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <openssl/err.h>

#include "tests/support/fake_provider/fake.hpp"

namespace gw::fake {
namespace {

constexpr time_t k_timeout_sec = 3600;
constexpr int k_keep_alive_ms = 120000;
constexpr size_t k_keep_alive_max = 1000000;

// A Stream over one accepted socket (optionally TLS) that remembers the bytes of the current
// request's head (request line + headers) as they are consumed by httplib's parser.
class ConnStream : public httplib::Stream {
public:
  ConnStream(int fd, SSL* ssl) : m_fd(fd), m_ssl(ssl) {}

  void begin_request() {
    m_head.clear();
    m_head_done = false;
  }
  const std::string& head() const { return m_head; }
  bool tls() const { return m_ssl != nullptr; }

  // Waits up to `ms` for the next request's first byte.
  bool wait_readable(int ms) const {
    if (m_off < m_len) return true;
    if (m_ssl && SSL_pending(m_ssl) > 0) return true;
    pollfd p{m_fd, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
  }
  bool is_readable() const override { return wait_readable(int(k_timeout_sec * 1000)); }
  bool is_writable() const override {
    pollfd p{m_fd, POLLOUT, 0};
    int n = ::poll(&p, 1, int(k_timeout_sec * 1000));
    return n > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) == 0;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (m_off >= m_len) {
      if (!is_readable()) return -1;
      ssize_t n = m_ssl ? ssize_t(SSL_read(m_ssl, m_buf, int(sizeof m_buf)))
                        : ::recv(m_fd, m_buf, sizeof m_buf, 0);
      if (n <= 0) return n < 0 ? -1 : 0;
      m_off = 0;
      m_len = size_t(n);
    }
    size_t n = std::min(size, m_len - m_off);
    std::memcpy(ptr, m_buf + m_off, n);
    m_off += n;
    if (!m_head_done) {
      m_head.append(ptr, n);
      if (m_head.find("\r\n\r\n") != std::string::npos) m_head_done = true;
    }
    return ssize_t(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    size_t done = 0;
    while (done < size) {
      ssize_t n = m_ssl ? ssize_t(SSL_write(m_ssl, ptr + done, int(size - done)))
                        : ::send(m_fd, ptr + done, size - done, MSG_NOSIGNAL);
      if (n <= 0) return -1;
      done += size_t(n);
    }
    return ssize_t(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    addr_of(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    addr_of(::getsockname, ip, port);
  }
  socket_t socket() const override { return m_fd; }

private:
  template <typename F>
  void addr_of(F fn, std::string& ip, int& port) const {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ip.clear();
    port = 0;
    if (fn(m_fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return;
    char buf[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
      port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
      port = ntohs(a->sin6_port);
    }
    ip = buf;
  }

  int m_fd;
  SSL* m_ssl;
  char m_buf[16384];
  size_t m_off = 0, m_len = 0;
  std::string m_head;
  bool m_head_done = false;
};

thread_local ConnStream* t_stream = nullptr;

}  // namespace

std::vector<std::pair<std::string, std::string>> current_raw_headers() {
  std::vector<std::pair<std::string, std::string>> out;
  if (!t_stream) return out;
  const std::string& h = t_stream->head();
  size_t pos = h.find("\r\n");
  while (pos != std::string::npos) {
    size_t start = pos + 2;
    size_t end = h.find("\r\n", start);
    if (end == std::string::npos || end == start) break;
    std::string line = h.substr(start, end - start);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      size_t v = line.find_first_not_of(" \t", colon + 1);
      std::string value = v == std::string::npos ? "" : line.substr(v);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
      out.emplace_back(line.substr(0, colon), value);
    }
    pos = end;
  }
  return out;
}

std::string current_request_target() {
  if (!t_stream) return "";
  const std::string& h = t_stream->head();
  std::string line = h.substr(0, h.find("\r\n"));
  size_t a = line.find(' ');
  size_t b = line.rfind(' ');
  if (a == std::string::npos || b <= a) return "";
  return line.substr(a + 1, b - a - 1);
}

bool current_is_tls() { return t_stream && t_stream->tls(); }

RecordingServer::~RecordingServer() {
  if (m_ssl_ctx) SSL_CTX_free(m_ssl_ctx);
}

bool RecordingServer::enable_tls(const std::string& cert, const std::string& key,
                                 std::string& error) {
  m_ssl_ctx = SSL_CTX_new(TLS_server_method());
  if (!m_ssl_ctx ||
      SSL_CTX_use_certificate_chain_file(m_ssl_ctx, cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(m_ssl_ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(m_ssl_ctx) != 1) {
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    error = std::string("cannot load TLS certificate/key: ") + buf;
    return false;
  }
  SSL_CTX_set_mode(m_ssl_ctx, SSL_MODE_AUTO_RETRY);
  return true;
}

void RecordingServer::configure(int threads, bool compress) {
  m_compress = compress;
  new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
  set_tcp_nodelay(true);
  set_keep_alive_max_count(k_keep_alive_max);
  set_keep_alive_timeout(k_keep_alive_ms / 1000);
  set_read_timeout(k_timeout_sec);
  set_write_timeout(k_timeout_sec);
  set_payload_max_length(size_t(512) << 20);
}

bool RecordingServer::process_and_close_socket(socket_t sock) {
  int one = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  SSL* ssl = nullptr;
  if (m_ssl_ctx) {
    ssl = SSL_new(m_ssl_ctx);
    if (!ssl || SSL_set_fd(ssl, sock) != 1 || SSL_accept(ssl) != 1) {
      if (ssl) SSL_free(ssl);
      ::close(sock);
      return false;
    }
  }
  ConnStream strm(sock, ssl);
  bool ok = true;
  bool compress = m_compress;
  for (size_t left = k_keep_alive_max; left > 0; --left) {
    if (!strm.wait_readable(k_keep_alive_ms)) break;
    strm.begin_request();
    bool closed = false;
    t_stream = &strm;
    ok = process_request(strm, left == 1, closed, [compress](httplib::Request& req) {
      // Without --compress the fake never encodes, whatever the client advertises.
      if (!compress) req.headers.erase("Accept-Encoding");
    });
    t_stream = nullptr;
    if (!ok || closed) break;
  }
  if (ssl) {
    if (ok) SSL_shutdown(ssl);  // a cut connection ends without close_notify, like a crash
    SSL_free(ssl);
  }
  if (!ok) ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace gw::fake
