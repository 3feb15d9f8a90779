#include "tests/support/process.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace gw::test {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

void write_file(const std::filesystem::path& p, const std::string& data) {
  std::ofstream f(p, std::ios::binary);
  f << data;
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

int status_code(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return -1;
}

}  // namespace

Env minimal_env(const std::filesystem::path& home) {
  std::filesystem::create_directories(home / "tmp");
  return {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
          {"HOME", home.string()},
          {"LANG", "C.UTF-8"},
          {"TMPDIR", (home / "tmp").string()}};
}

std::optional<std::filesystem::path> find_program(const std::string& program, const Env& env) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) == 0) return std::filesystem::path(program);
    return std::nullopt;
  }
  std::string path;
  if (auto it = env.find("PATH"); it != env.end()) path = it->second;
  else if (const char* p = std::getenv("PATH")) path = p;
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::filesystem::path cand = std::filesystem::path(dir) / program;
    if (::access(cand.c_str(), X_OK) == 0 && !std::filesystem::is_directory(cand)) return cand;
  }
  return std::nullopt;
}

Process::Process(ProcessOptions opts) {
  if (opts.argv.empty()) throw std::runtime_error("Process: empty argv");
  Env env;
  if (opts.inherit_env)
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      size_t eq = kv.find('=');
      if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  for (auto& [k, v] : opts.env) env[k] = v;
  auto program = find_program(opts.argv[0], env);
  if (!program) throw std::runtime_error("Process: program not found or not executable: " + opts.argv[0]);

  m_tmp = std::make_unique<TempDir>("gw-proc");
  m_stdout_path = opts.stdout_path.empty() ? m_tmp->path() / "stdout" : opts.stdout_path;
  m_stderr_path = opts.stderr_path.empty() ? m_tmp->path() / "stderr" : opts.stderr_path;
  std::string stdin_path = "/dev/null";
  if (opts.stdin_data) {
    stdin_path = (m_tmp->path() / "stdin").string();
    write_file(stdin_path, *opts.stdin_data);
  }
  // Truncate/create the capture files now so they exist even if the child writes nothing.
  write_file(m_stdout_path, "");
  write_file(m_stderr_path, "");

  int out[2], err[2], wake[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error("Process: pipe2 failed: " + errno_text(errno));
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);  // the reader drains without blocking
  ::fcntl(err[0], F_SETFL, O_NONBLOCK);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  if (!opts.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, opts.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> env_strings;
  for (auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  for (auto& s : opts.argv) argv.push_back(s.data());
  argv.push_back(nullptr);

  int rc = ::posix_spawn(&m_pid, program->c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    ::close(wake[0]);
    ::close(wake[1]);
    m_pid = -1;
    throw std::runtime_error("Process: cannot start " + program->string() + ": " + errno_text(rc));
  }
  m_pidfd = int(::syscall(SYS_pidfd_open, m_pid, 0));
  m_wake_r = wake[0];
  m_wake_w = wake[1];
  m_reader = std::thread([this, o = out[0], e = err[0], w = wake[0]] { reader_loop(o, e, w); });
}

Process::~Process() {
  if (m_pid > 0) {
    ::kill(-m_pid, SIGKILL);
    if (!m_status) {
      int st = 0;
      while (::waitpid(m_pid, &st, 0) < 0 && errno == EINTR) {
      }
    }
  }
  if (m_wake_w >= 0) {
    // The group is dead; what it wrote is in the pipes. The reader drains it and stops, even if
    // an escaped grandchild still holds a pipe open.
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    char c = 1;
    (void)!::write(m_wake_w, &c, 1);
  }
  if (m_reader.joinable()) m_reader.join();
  if (m_wake_w >= 0) ::close(m_wake_w);
  if (m_wake_r >= 0) ::close(m_wake_r);  // closed only now: a write to it must never SIGPIPE
  if (m_pidfd >= 0) ::close(m_pidfd);
}

void Process::on_data(bool is_out, const char* data, std::size_t n) {
  std::lock_guard lock(m_mutex);
  if (!is_out) {
    m_err.append(data, n);
    return;
  }
  m_out.append(data, n);
  m_partial.append(data, n);
  size_t nl;
  while ((nl = m_partial.find('\n')) != std::string::npos) {
    m_lines.push_back(m_partial.substr(0, nl));
    m_partial.erase(0, nl + 1);
  }
}

void Process::reader_loop(int out_fd, int err_fd, int wake_fd) {
  std::ofstream out_file(m_stdout_path, std::ios::binary | std::ios::app);
  std::ofstream err_file(m_stderr_path, std::ios::binary | std::ios::app);
  int fds[2] = {out_fd, err_fd};
  char buf[8192];
  // Reads what is available on fd i (non-blocking); closes it at EOF.
  auto drain = [&](int i) {
    for (;;) {
      ssize_t r = ::read(fds[i], buf, sizeof buf);
      if (r > 0) {
        (i == 0 ? out_file : err_file).write(buf, r).flush();
        on_data(i == 0, buf, std::size_t(r));
        continue;
      }
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && errno == EAGAIN) return;
      ::close(fds[i]);
      fds[i] = -1;
      std::lock_guard lock(m_mutex);
      (i == 0 ? m_out_closed : m_err_closed) = true;
      return;
    }
  };
  for (;;) {
    pollfd p[3] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}, {wake_fd, POLLIN, 0}};
    if (fds[0] < 0 && fds[1] < 0) p[2].fd = -1;  // nothing left to read
    if (p[2].fd < 0 && fds[0] < 0 && fds[1] < 0) break;
    if (::poll(p, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR))) drain(i);
    if (p[2].revents) {
      // A sync or stop request: take everything already in the pipes, then acknowledge.
      while (::read(wake_fd, buf, sizeof buf) > 0) {
      }
      long target;
      bool stop;
      {
        std::lock_guard lock(m_mutex);
        target = m_sync_requested;
        stop = m_stop;
      }
      for (int i = 0; i < 2; ++i)
        if (fds[i] >= 0) drain(i);
      {
        std::lock_guard lock(m_mutex);
        m_synced = target;
      }
      if (stop) break;
    }
    m_cv.notify_all();
  }
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
  std::lock_guard lock(m_mutex);
  m_out_closed = m_err_closed = true;
  m_synced = m_sync_requested;
  m_cv.notify_all();
}

void Process::sync_output() {
  long gen;
  {
    std::lock_guard lock(m_mutex);
    gen = ++m_sync_requested;
  }
  char c = 1;
  (void)!::write(m_wake_w, &c, 1);
  std::unique_lock lock(m_mutex);
  m_cv.wait(lock, [&] { return m_synced >= gen || (m_out_closed && m_err_closed); });
}

std::optional<std::string> Process::read_line_with_timeout(std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  m_cv.wait_for(lock, timeout, [&] { return !m_lines.empty() || m_out_closed; });
  if (!m_lines.empty()) {
    std::string line = std::move(m_lines.front());
    m_lines.pop_front();
    return line;
  }
  if (m_out_closed && !m_partial.empty()) {
    std::string line = std::move(m_partial);
    m_partial.clear();
    return line;
  }
  return std::nullopt;
}

bool Process::wait_for_output(const std::string& needle, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  return m_cv.wait_for(lock, timeout, [&] {
    return m_out.find(needle) != std::string::npos || m_err.find(needle) != std::string::npos ||
           (m_out_closed && m_err_closed);
  }) && (m_out.find(needle) != std::string::npos || m_err.find(needle) != std::string::npos);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (m_status) return m_status;
  if (m_pid <= 0) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int st = 0;
    pid_t r = ::waitpid(m_pid, &st, WNOHANG);
    if (r == m_pid) {
      m_status = status_code(st);
      sync_output();  // everything the child wrote is captured once wait() reports its exit
      return m_status;
    }
    if (r < 0 && errno != EINTR) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (m_pidfd >= 0) {
      pollfd p{m_pidfd, POLLIN, 0};
      ::poll(&p, 1, int(left.count()));
    } else {
      // No pidfd (old kernel): poll waitpid at a short interval.
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(5)));
    }
  }
}

void Process::terminate() {
  if (m_pid > 0) ::kill(-m_pid, SIGTERM);
}

void Process::kill() {
  if (m_pid > 0) ::kill(-m_pid, SIGKILL);
}

std::string Process::stdout_text() const {
  std::lock_guard lock(m_mutex);
  return m_out;
}

std::string Process::stderr_text() const {
  std::lock_guard lock(m_mutex);
  return m_err;
}

// ---- FakeProvider -------------------------------------------------------------------------

std::filesystem::path FakeProvider::binary_path() {
  if (const char* p = std::getenv("GW_FAKE_PROVIDER"); p && *p) return p;
  return std::filesystem::path(GW_BINARY_DIR) / "tests/support/fake_provider/fake_provider";
}

FakeProvider::FakeProvider(FakeProviderOptions opts) {
  m_log = m_dir.path() / "requests.jsonl";
  m_tls = !opts.tls_cert.empty();
  ProcessOptions po;
  po.argv = {binary_path().string(), "--host", "127.0.0.1", "--port", "0", "--log", m_log.string()};
  for (const std::string& k : opts.expect_keys) po.argv.insert(po.argv.end(), {"--expect-key", k});
  if (m_tls)
    po.argv.insert(po.argv.end(), {"--tls-cert", opts.tls_cert.string(), "--tls-key", opts.tls_key.string()});
  if (opts.events > 0) po.argv.insert(po.argv.end(), {"--events", std::to_string(opts.events)});
  if (opts.event_interval_us > 0)
    po.argv.insert(po.argv.end(), {"--event-interval-us", std::to_string(opts.event_interval_us)});
  po.argv.insert(po.argv.end(), opts.extra_args.begin(), opts.extra_args.end());
  po.env = minimal_env(m_dir.path());
  m_process = std::make_unique<Process>(std::move(po));
  auto line = m_process->read_line_with_timeout(opts.start_timeout);
  if (!line || line->rfind("listening ", 0) != 0) {
    m_process->kill();
    m_process->wait(std::chrono::milliseconds(2000));
    throw std::runtime_error("fake_provider did not start (" + binary_path().string() +
                             "): " + m_process->stderr_text());
  }
  m_port = std::stoi(line->substr(10));
}

FakeProvider::~FakeProvider() {
  if (m_process) {
    m_process->terminate();
    m_process->wait(std::chrono::milliseconds(2000));
  }
}

std::string FakeProvider::base_url() const {
  return std::string(m_tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(m_port);
}

std::vector<nlohmann::json> FakeProvider::requests() const {
  std::vector<nlohmann::json> out;
  std::ifstream f(m_log);
  std::string line;
  while (std::getline(f, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));  // a line being written is skipped
  }
  return out;
}

nlohmann::json FakeProvider::control(const nlohmann::json& spec) {
  httplib::Client cli(base_url());
  cli.enable_server_certificate_verification(false);
  auto res = cli.Post("/__control", spec.dump(), "application/json");
  if (!res) throw std::runtime_error("fake_provider control failed: " + httplib::to_string(res.error()));
  auto body = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status != 200) throw std::runtime_error("fake_provider refused control: " + res->body);
  return body;
}

}  // namespace gw::test
