#include "agent/control_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/common/log.hpp"

namespace gw::agent {

ControlServer::ControlServer(std::filesystem::path socket_path, Handler handler)
    : m_path(std::move(socket_path)), m_handler(std::move(handler)) {}

ControlServer::~ControlServer() { stop(); }

Status ControlServer::start() {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (m_path.string().size() >= sizeof(addr.sun_path))
    return fail(Errc::config, "control socket path too long: " + m_path.string() + " (set GW_STATE_DIR to a shorter path)");
  std::strcpy(addr.sun_path, m_path.c_str());
  m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (m_fd < 0) return fail(Errc::io, std::string("socket: ") + std::strerror(errno));
  ::unlink(m_path.c_str());  // the caller holds the instance lock, so a file here is stale
  mode_t old = ::umask(0177);
  int rc = ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0) return fail(Errc::io, "cannot bind control socket " + m_path.string() + ": " + std::strerror(errno));
  ::chmod(m_path.c_str(), 0600);
  if (::listen(m_fd, 64) != 0) return fail(Errc::io, std::string("listen: ") + std::strerror(errno));
  if (::pipe2(m_wake, O_CLOEXEC) != 0) return fail(Errc::io, "pipe failed");
  m_thread = std::thread([this] { serve(); });
  return {};
}

void ControlServer::stop() {
  if (m_wake[1] >= 0) {
    char c = 'x';
    (void)::write(m_wake[1], &c, 1);
  }
  if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id()) m_thread.join();
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
    ::unlink(m_path.c_str());
  }
  for (int& f : m_wake)
    if (f >= 0) {
      ::close(f);
      f = -1;
    }
}

void ControlServer::serve() {
  for (;;) {
    pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    int c = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    handle_client(c);
    ::close(c);
  }
}

void ControlServer::handle_client(int fd) {
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::string line;
  char buf[4096];
  while (line.find('\n') == std::string::npos && line.size() < 64 * 1024) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  auto req = nlohmann::json::parse(line.substr(0, line.find('\n')), nullptr, false);
  nlohmann::json reply;
  if (!req.is_object() || !req.contains("op") || !req["op"].is_string()) {
    reply = {{"ok", false}, {"error", "control request must be a JSON object with a string \"op\""}};
  } else {
    try {
      reply = m_handler(req);
    } catch (const std::exception& e) {
      reply = {{"ok", false}, {"error", std::string("internal error: ") + e.what()}};
    }
  }
  std::string out = reply.dump() + "\n";
  (void)::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
}

}  // namespace gw::agent
