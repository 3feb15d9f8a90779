#include "bench/loadgen/net.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gw::bench {

Result<Target> resolve_target(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return fail(Errc::invalid_argument, "only http:// URLs are supported: " + url);
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  Target t;
  t.host_header = rest.substr(0, slash);
  t.path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host = t.host_header, port = "80";
  if (!host.empty() && host.front() == '[') {  // [v6]:port
    size_t close = host.find(']');
    if (close == std::string::npos) return fail(Errc::invalid_argument, "bad IPv6 host in " + url);
    if (close + 1 < host.size() && host[close + 1] == ':') port = host.substr(close + 2);
    host = host.substr(1, close - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) return fail(Errc::invalid_argument, "no host in " + url);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || !res) return fail(Errc::unavailable, "cannot resolve " + host + ": " + gai_strerror(rc));
  std::memcpy(&t.addr, res->ai_addr, res->ai_addrlen);
  t.addr_len = static_cast<socklen_t>(res->ai_addrlen);
  ::freeaddrinfo(res);
  return t;
}

int start_connect(const Target& t) {
  int fd = ::socket(t.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&t.addr), t.addr_len) != 0 && errno != EINPROGRESS) {
    int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

int connect_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

Result<int> pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(Errc::io, std::string("socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    int e = errno;
    ::close(fd);
    return fail(Errc::io, std::string("bind 127.0.0.1:0: ") + std::strerror(e));
  }
  ::close(fd);
  return static_cast<int>(ntohs(a.sin_port));
}

}  // namespace gw::bench
