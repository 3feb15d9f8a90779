#include "agent/control_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/common/clock.hpp"

namespace gw::agent {

Result<nlohmann::json> control_call(const Paths& paths, const nlohmann::json& request, int timeout_ms) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = paths.control_socket().string();
  if (path.size() >= sizeof addr.sun_path) return fail(Errc::config, "control socket path too long: " + path);
  std::strcpy(addr.sun_path, path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(Errc::io, "socket failed");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return fail(Errc::unavailable, "no gw sidecar is running (" + path + ": " + std::strerror(errno) + ")");
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::string out = request.dump() + "\n";
  if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size()))
    return fail(Errc::io, "cannot talk to the gw sidecar");
  std::string line;
  char buf[4096];
  while (line.find('\n') == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Errc::timeout, "the gw sidecar did not answer within " + std::to_string(timeout_ms) + " ms");
    if (n == 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  auto j = nlohmann::json::parse(line.substr(0, line.find('\n')), nullptr, false);
  if (!j.is_object()) return fail(Errc::protocol, "the gw sidecar sent an unreadable answer");
  return j;
}

static Result<SidecarInfo> info_from_status(const nlohmann::json& j) {
  if (!j.value("ok", false)) return fail(Errc::unavailable, j.value("error", "sidecar status failed"));
  return SidecarInfo{j.value("port", 0), j.value("pid", 0), j.value("version", "")};
}

// Starts `gw_exe agent run --ready-fd N` as a daemon (double fork + setsid, stdio to the agent
// log) and waits for its "ready" line or its error on the pipe.
static Status spawn_sidecar(const Paths& paths, const std::string& gw_exe, int timeout_ms) {
  GW_CHECK(ensure_private_dir(paths.state_dir));
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return fail(Errc::io, "pipe failed");
  std::string log_path = paths.agent_log().string();
  pid_t child = ::fork();
  if (child < 0) return fail(Errc::io, "fork failed");
  if (child == 0) {
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    int devnull = ::open("/dev/null", O_RDONLY);
    int logfd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(devnull, 0);
    ::dup2(logfd >= 0 ? logfd : devnull, 1);
    ::dup2(logfd >= 0 ? logfd : devnull, 2);
    int ready = ::dup(p[1]);  // without CLOEXEC, so the sidecar inherits it
    std::string fd_s = std::to_string(ready);
    ::execl(gw_exe.c_str(), gw_exe.c_str(), "agent", "run", "--ready-fd", fd_s.c_str(), static_cast<char*>(nullptr));
    std::string msg = "error: cannot execute " + gw_exe + ": " + std::strerror(errno) + "\n";
    (void)::write(ready, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(p[1]);
  int status = 0;
  ::waitpid(child, &status, 0);
  std::string got;
  char buf[1024];
  int64_t deadline = mono_ns() + int64_t{timeout_ms} * 1'000'000;
  for (;;) {
    int left = static_cast<int>((deadline - mono_ns()) / 1'000'000);
    pollfd pf{p[0], POLLIN, 0};
    if (left <= 0 || ::poll(&pf, 1, left) <= 0) {
      ::close(p[0]);
      return fail(Errc::timeout, "the gw sidecar did not start within " + std::to_string(timeout_ms) + " ms; see " + log_path);
    }
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(p[0]);
  if (got.starts_with("ready ")) return {};
  if (got.starts_with("error: ")) {
    std::string msg = got.substr(7);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return fail(msg.find("already running") != std::string::npos ? Errc::unavailable : Errc::config, msg);
  }
  return fail(Errc::unavailable, "the gw sidecar exited during start; see " + log_path);
}

Result<SidecarInfo> ensure_sidecar(const Paths& paths, const std::string& gw_exe, int timeout_ms) {
  if (auto st = control_call(paths, {{"op", "status"}}); st) return info_from_status(*st);
  auto spawned = spawn_sidecar(paths, gw_exe, timeout_ms);
  // Lost a start race to another launcher: that sidecar is coming up; its status answers soon.
  if (!spawned && spawned.error().code != Errc::unavailable) return std::unexpected(spawned.error());
  int64_t deadline = mono_ns() + int64_t{timeout_ms} * 1'000'000;
  for (;;) {
    auto st = control_call(paths, {{"op", "status"}});
    if (st) return info_from_status(*st);
    if (mono_ns() > deadline) return std::unexpected(spawned ? st.error() : spawned.error());
    ::usleep(20'000);
  }
}

Result<Session> mint_session(const Paths& paths, std::string_view agent, int owner_pid, int64_t ttl_s) {
  GW_TRY(j, control_call(paths, {{"op", "mint"}, {"agent", agent}, {"pid", owner_pid}, {"ttl_s", ttl_s}}));
  if (!j.value("ok", false)) return fail(Errc::denied, "the gw sidecar refused a session: " + j.value("error", ""));
  return Session{j.value("token", ""), j.value("session_id", ""), j.value("expires_ms", int64_t{0}), j.value("port", 0)};
}

Status revoke_session(const Paths& paths, std::string_view session_id) {
  GW_TRY(j, control_call(paths, {{"op", "revoke"}, {"session_id", session_id}}));
  if (!j.value("ok", false)) return fail(Errc::not_found, j.value("error", "revoke failed"));
  return {};
}

}  // namespace gw::agent
