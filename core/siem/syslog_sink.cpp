// Syslog sink: RFC 5424 messages over TCP with octet-counting framing (RFC 6587 3.4.1:
// "LEN SP MSG") on one kept-open connection, or over UDP, one message per datagram (RFC 5426).
// TCP gives at-least-once up to the peer's socket buffer; UDP is best effort (documented).
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/audit/export.hpp"
#include "core/siem/format.hpp"
#include "core/siem/sinks.hpp"

namespace gw::siem {

namespace {

std::string local_hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

class SyslogSink final : public Sink {
public:
  explicit SyslogSink(SinkConfig cfg) : m_cfg(std::move(cfg)) {
    m_header.facility = m_cfg.facility;
    m_header.app_name = m_cfg.app_name;
    m_header.hostname = m_cfg.hostname.empty() ? local_hostname() : m_cfg.hostname;
    m_header.procid = std::to_string(::getpid());
    m_max = m_cfg.max_message_bytes ? m_cfg.max_message_bytes
            : m_cfg.transport == SyslogTransport::udp ? 2048 : 65536;
  }
  ~SyslogSink() override { disconnect(); }
  std::string_view type() const override { return "syslog"; }

  Delivery deliver(const std::vector<FeedEvent>& batch) override {
    std::vector<std::string> messages;
    for (const auto& ev : batch) {
      nlohmann::json r = parse_record(ev);
      auto formatted = audit::export_record(r, m_cfg.format);
      if (!formatted) continue;
      std::string msg = formatted->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      messages.push_back(syslog_message(r, ev.position, msg, m_header, m_max));
    }
    if (messages.empty()) return {};
    if (m_fd >= 0 && m_cfg.transport == SyslogTransport::tcp && peer_closed()) disconnect();
    if (m_fd < 0)
      if (auto c = connect_socket(); !c) return c;
    if (m_cfg.transport == SyslogTransport::udp) {
      for (const auto& m : messages)
        if (::send(m_fd, m.data(), m.size(), MSG_NOSIGNAL) < 0) return sock_error("send to");
      return {};
    }
    std::string frames;
    for (const auto& m : messages) frames += std::to_string(m.size()) + " " + m;
    size_t done = 0;
    while (done < frames.size()) {
      ssize_t n = ::send(m_fd, frames.data() + done, frames.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sock_error("send to");
      done += static_cast<size_t>(n);
    }
    return {};
  }

private:
  std::string where() const {
    return std::string(m_cfg.transport == SyslogTransport::tcp ? "tcp" : "udp") + "://" +
           m_cfg.host + ":" + std::to_string(m_cfg.port);
  }

  std::unexpected<DeliveryError> sock_error(const char* what) {
    std::string msg = std::string("cannot ") + what + " syslog " + where() + ": " + std::strerror(errno);
    disconnect();
    return delivery_failed(std::move(msg));
  }

  // A TCP peer that closed (e.g. a restarted collector) shows as readable with 0 bytes; find out
  // before sending, so a batch is not written into a dead connection.
  bool peer_closed() {
    char c;
    ssize_t n = ::recv(m_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

  Delivery connect_socket() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = m_cfg.transport == SyslogTransport::tcp ? SOCK_STREAM : SOCK_DGRAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(m_cfg.port);
    if (int rc = ::getaddrinfo(m_cfg.host.c_str(), port.c_str(), &hints, &res); rc != 0)
      return delivery_failed("cannot resolve syslog host " + m_cfg.host + ": " + gai_strerror(rc));
    std::string last = "no address";
    for (addrinfo* a = res; a; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
      if (fd < 0) continue;
      int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        if (::poll(&p, 1, m_cfg.timeout_ms) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
          rc = 0;
        else
          errno = err ? err : ETIMEDOUT;
      }
      if (rc == 0) {
        // Blocking sends with a deadline, so a stalled collector cannot hold the thread forever.
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        timeval tv{m_cfg.timeout_ms / 1000, (m_cfg.timeout_ms % 1000) * 1000};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        m_fd = fd;
        break;
      }
      last = std::strerror(errno);
      ::close(fd);
    }
    ::freeaddrinfo(res);
    if (m_fd < 0) return delivery_failed("cannot connect to syslog " + where() + ": " + last);
    return {};
  }

  void disconnect() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

  SinkConfig m_cfg;
  SyslogHeader m_header;
  size_t m_max = 0;
  int m_fd = -1;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_syslog_sink(const SinkConfig& cfg) {
  return std::unique_ptr<Sink>(std::make_unique<SyslogSink>(cfg));
}

}  // namespace gw::siem
