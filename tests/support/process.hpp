#pragma once
// Child processes for integration and e2e tests: spawned with an explicit environment (the
// parent's is NOT inherited unless asked), in their own process group (so signals reach the
// grandchildren too), with stdout/stderr captured to files and to memory. The destructor kills
// the whole group and reaps the child, so a failing test never leaks processes.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace gw::test {

using Env = std::map<std::string, std::string>;

// A small environment for a child that must not see the developer's: PATH=/usr/local/bin:
// /usr/bin:/bin, HOME=home, LANG=C.UTF-8, TMPDIR=<home>/tmp (created).
Env minimal_env(const std::filesystem::path& home);

// The absolute path of `program` found in env's PATH (the parent's PATH when env has none);
// `program` containing '/' is returned as is when it is executable. nullopt when not found.
std::optional<std::filesystem::path> find_program(const std::string& program, const Env& env);

struct ProcessOptions {
  std::vector<std::string> argv;           // argv[0]: a path or a name looked up in env's PATH
  Env env;                                 // the child's whole environment
  bool inherit_env = false;                // start from the parent's environment, env overrides
  std::filesystem::path cwd;               // empty: the parent's working directory
  std::filesystem::path stdout_path;       // empty: a temp file removed with the Process
  std::filesystem::path stderr_path;       // empty: a temp file removed with the Process
  std::optional<std::string> stdin_data;   // nullopt: stdin is /dev/null
};

class Process {
public:
  // Starts the child. Throws std::runtime_error when it cannot be started (program not found,
  // not executable, bad cwd...), with the reason in what().
  explicit Process(ProcessOptions opts);
  // Sends SIGKILL to the child's process group and reaps the child.
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return m_pid; }

  // The next complete stdout line (without '\n'), waiting at most `timeout`. nullopt on timeout
  // or when stdout closed with no further line. Lines are consumed in order.
  std::optional<std::string> read_line_with_timeout(std::chrono::milliseconds timeout);
  // True once `needle` appears in stdout or stderr (everything captured so far counts), false
  // when `timeout` passes or both streams closed without it.
  bool wait_for_output(const std::string& needle, std::chrono::milliseconds timeout);

  // The exit status once the child has exited: its exit code, or 128 + signal number when a
  // signal ended it. nullopt when it is still running after `timeout` (0 = just check). Once it
  // reports the exit, everything the child wrote is in stdout_text()/stderr_text().
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running() { return !wait(std::chrono::milliseconds(0)).has_value(); }
  void terminate();  // SIGTERM to the process group
  void kill();       // SIGKILL to the process group

  std::string stdout_text() const;  // everything captured so far
  std::string stderr_text() const;
  const std::filesystem::path& stdout_path() const { return m_stdout_path; }
  const std::filesystem::path& stderr_path() const { return m_stderr_path; }

private:
  void reader_loop(int out_fd, int err_fd, int wake_fd);
  void on_data(bool is_out, const char* data, std::size_t n);
  void sync_output();  // returns once the reader has taken everything now in the pipes

  pid_t m_pid = -1;
  int m_pidfd = -1;
  std::optional<int> m_status;
  std::unique_ptr<TempDir> m_tmp;
  std::filesystem::path m_stdout_path, m_stderr_path;
  int m_wake_r = -1, m_wake_w = -1;
  std::thread m_reader;

  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  std::string m_out, m_err;
  std::string m_partial;             // stdout bytes after the last '\n'
  std::deque<std::string> m_lines;   // complete stdout lines not read yet
  bool m_out_closed = false, m_err_closed = false;
  bool m_stop = false;
  long m_sync_requested = 0, m_synced = 0;
};

// The fake provider server (tests/support/fake_provider) run as a child process on 127.0.0.1,
// port 0, with its request log in a temp dir.
struct FakeProviderOptions {
  std::vector<std::string> expect_keys;   // "anthropic=VALUE", "openai=VALUE", "gemini=VALUE"
  std::filesystem::path tls_cert;         // with tls_key: serve HTTPS
  std::filesystem::path tls_key;
  int events = 0;                         // text deltas per stream (0: the fake's default, 2)
  long event_interval_us = 0;
  std::vector<std::string> extra_args;    // more fake_provider arguments
  std::chrono::milliseconds start_timeout{15000};
};

class FakeProvider {
public:
  // Starts the fake and waits for its "listening <port>" line. Throws std::runtime_error when
  // it does not start (the message includes its stderr).
  explicit FakeProvider(FakeProviderOptions opts = {});
  ~FakeProvider();
  FakeProvider(const FakeProvider&) = delete;
  FakeProvider& operator=(const FakeProvider&) = delete;

  int port() const { return m_port; }
  bool tls() const { return m_tls; }
  std::string host() const { return "127.0.0.1"; }
  std::string base_url() const;  // "http://127.0.0.1:<port>" (https with TLS), no trailing '/'

  // Every request the fake received, oldest first, as logged (one JSON object each:
  // ts, method, path, query, params, headers [[name, value]...] in arrival order, body (parsed
  // JSON, or the raw string), body_bytes, api, status, tls). A request is in the log before its
  // response is sent.
  std::vector<nlohmann::json> requests() const;
  const std::filesystem::path& log_path() const { return m_log; }

  // POST /__control with `spec` (e.g. {"mode":"status","status":429,"count":2}); returns the
  // fake's answer ({"ok":true,"pending":[...]}). Throws std::runtime_error when it is refused.
  nlohmann::json control(const nlohmann::json& spec);
  void reset() { control({{"mode", "reset"}}); }

  Process& process() { return *m_process; }
  // $GW_FAKE_PROVIDER when set, else GW_BINARY_DIR/tests/support/fake_provider/fake_provider.
  static std::filesystem::path binary_path();

private:
  TempDir m_dir{"gw-fake"};
  std::filesystem::path m_log;
  std::unique_ptr<Process> m_process;
  int m_port = 0;
  bool m_tls = false;
};

}  // namespace gw::test
