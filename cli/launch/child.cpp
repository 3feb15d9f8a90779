#include "cli/launch/child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <utility>

namespace fs = std::filesystem;

namespace gw::launch {

namespace {

std::atomic<pid_t> g_child{0};  // read by the forwarding handler; lock-free on every target

void forward_signal(int sig) {
  int saved = errno;
  pid_t pid = g_child.load();
  if (pid > 0) ::kill(pid, sig);
  errno = saved;
}

std::string install_hint(const std::string& agent) {
  if (agent == "claude") return "npm install -g @anthropic-ai/claude-code";
  if (agent == "codex") return "npm install -g @openai/codex";
  if (agent == "gemini") return "npm install -g @google/gemini-cli";
  return "install it";
}

bool executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

Result<fs::path> find_agent_binary(const std::string& agent, const std::string& binary,
                                   const EnvMap& env) {
  std::string var = "GW_" + agent + "_BIN";
  for (auto& c : var) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string override_path = env_get(env, var);
  if (!override_path.empty()) {
    if (executable(override_path)) return fs::path(override_path);
    return fail(Errc::not_found, var + "=" + override_path + " is not an executable file");
  }
  std::string path = env_get(env, "PATH");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / binary;
    if (executable(candidate)) return candidate;
    start = end + 1;
  }
  return fail(Errc::not_found, "`" + binary + "` was not found on PATH. Install it (" +
                                   install_hint(agent) + ") or set " + var +
                                   " to its full path.");
}

Result<int> run_child(const fs::path& exe, const std::vector<std::string>& args,
                      const EnvMap& env) {
  std::vector<std::string> env_strings = env_to_strings(env);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string exe_str = exe.string();
  std::vector<std::string> argv_strings;
  argv_strings.push_back(exe.filename().string());
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  // Ignore INT/QUIT before spawning (no window in which a Ctrl-C kills the launcher but not the
  // child); block TERM/HUP until the child's pid is known to the forwarding handler.
  struct sigaction ign {}, fwd {}, old_int {}, old_quit {}, old_term {}, old_hup {};
  ign.sa_handler = SIG_IGN;
  fwd.sa_handler = forward_signal;
  fwd.sa_flags = SA_RESTART;
  sigemptyset(&fwd.sa_mask);
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  ::sigprocmask(SIG_BLOCK, &block, &old_mask);
  ::sigaction(SIGINT, &ign, &old_int);
  ::sigaction(SIGQUIT, &ign, &old_quit);
  ::sigaction(SIGTERM, &fwd, &old_term);
  ::sigaction(SIGHUP, &fwd, &old_hup);

  auto restore = [&] {
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    ::sigaction(SIGHUP, &old_hup, nullptr);
    g_child.store(0);
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  };

  // posix_spawn (glibc: clone with CLONE_VM|CLONE_VFORK) instead of fork: no copy of the
  // launcher's page tables before the exec (measured ~80 ms under load, docs/benchmarks.md), and
  // exec errors come back as its result. The child gets the dispositions the launcher started
  // with: a signal the launcher's parent left ignored stays ignored (as in a direct run); every
  // other one of INT/QUIT/TERM/HUP, and PIPE, is reset to default; the mask is empty.
  sigset_t to_default;
  sigemptyset(&to_default);
  const std::pair<int, const struct sigaction*> started_with[] = {
      {SIGINT, &old_int}, {SIGQUIT, &old_quit}, {SIGTERM, &old_term}, {SIGHUP, &old_hup}};
  for (const auto& [sig, old] : started_with)
    if (old->sa_handler != SIG_IGN) sigaddset(&to_default, sig);
  sigaddset(&to_default, SIGPIPE);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigdefault(&attr, &to_default);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  int spawn_err = ::posix_spawn(&pid, exe_str.c_str(), nullptr, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  if (spawn_err != 0) {
    restore();
    return fail(spawn_err == ENOENT ? Errc::not_found : Errc::io,
                "cannot start " + exe_str + ": " + std::strerror(spawn_err));
  }
  g_child.store(pid);
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);  // pending TERM/HUP now reach the child

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      int err = errno;
      restore();
      return fail(Errc::io, std::string("waitpid: ") + std::strerror(err));
    }
  }
  restore();
  return status;
}

int exit_like_child(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) {
    int sig = WTERMSIG(wait_status);
    // The child may have dumped core already; the launcher's death must not add a second one.
    struct rlimit no_core {0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(sig);
    return 128 + sig;
  }
  return 1;
}

}  // namespace gw::launch
