#include "core/http/server.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/http/server_conn.hpp"
#include "core/http/server_pool.hpp"

namespace gw::http {

Server::Server(ServerOptions opts, Handler handler) : m_opts(std::move(opts)), m_handler(std::move(handler)) {}

Server::~Server() { stop(); }

Result<int> Server::start() {
  auto cannot = [&](const std::string& why) {
    return fail(Errc::unavailable, "cannot listen on " + m_opts.host + ":" + std::to_string(m_opts.port) + ": " + why +
                                       " (is another program using the port? choose another with --port)");
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
  addrinfo* ai = nullptr;
  std::string port_s = std::to_string(m_opts.port);
  if (int rc = ::getaddrinfo(m_opts.host.c_str(), port_s.c_str(), &hints, &ai); rc != 0)
    return cannot(std::string("not a numeric address: ") + gai_strerror(rc));
  int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(ai);
    return cannot(std::strerror(errno));
  }
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);  // restart while old sockets linger
  if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
    std::string why = std::strerror(errno);
    ::freeaddrinfo(ai);
    ::close(fd);
    return cannot(why);
  }
  ::freeaddrinfo(ai);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  m_port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (::pipe2(m_wake_fd, O_CLOEXEC) != 0) {
    ::close(fd);
    return cannot(std::string("pipe: ") + std::strerror(errno));
  }
  m_listen_fd = fd;
  m_pool = std::make_unique<ServerPool>(m_opts.min_threads, m_opts.max_threads);
  m_accept = std::thread([this] { accept_loop(); });
  return m_port;
}

void Server::accept_loop() {
  pollfd fds[2] = {{m_listen_fd, POLLIN, 0}, {m_wake_fd[0], POLLIN, 0}};
  while (!m_stopping.load()) {
    int r = ::poll(fds, 2, -1);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0 || fds[1].revents) continue;  // woken by stop(): the loop condition ends it
    int fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: the pending connection stays readable; back off on the wake pipe
        // instead of spinning, and retry when descriptors may have been freed.
        pollfd w{m_wake_fd[0], POLLIN, 0};
        ::poll(&w, 1, 50);
      }
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    {
      std::lock_guard lock(m_conns_mutex);
      m_conns.insert(fd);
    }
    m_pool->enqueue([this, fd] { serve(fd); });
  }
}

void Server::serve(int fd) {
  if (!m_stopping.load()) {
    ServerConnection conn(*this, fd);
    conn.run();
  }
  std::lock_guard lock(m_conns_mutex);  // closed under the lock: stop() never shuts a reused fd
  m_conns.erase(fd);
  ::close(fd);
}

void Server::stop() {
  if (m_listen_fd < 0) return;
  m_stopping.store(true);
  (void)!::write(m_wake_fd[1], "x", 1);
  if (m_accept.joinable()) m_accept.join();
  ::close(m_listen_fd);
  {
    std::lock_guard lock(m_conns_mutex);
    for (int fd : m_conns) ::shutdown(fd, SHUT_RDWR);  // wakes workers blocked in poll()
  }
  m_pool.reset();  // waits for every worker
  ::close(m_wake_fd[0]);
  ::close(m_wake_fd[1]);
  m_listen_fd = -1;
}

}  // namespace gw::http
