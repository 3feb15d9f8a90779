#pragma once
// Helpers of the audit integration tests: a `gw agent run` that can be killed and restarted over
// the same temp home (same state dir, so the same spool), requests tagged with a unique agent
// session id (the fake logs the header, the spool records it: the two can be joined), and
// readers for the spool and the gw CLI. Central ingest tests can reuse these to check what the
// central gateway holds against the local spool.
#include <sys/resource.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/control_client.hpp"
#include "core/common/paths.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sidecar.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::test::audit {

inline const char* k_claude_ua = "claude-cli/2.1.197 (external, sdk-cli)";

// A request body for Claude's Messages API (non-streaming unless stream).
inline std::string messages_body(const std::string& prompt, bool stream = false) {
  nlohmann::json j = {{"model", "claude-haiku-4-5"},
                      {"max_tokens", 64},
                      {"messages", {{{"role", "user"}, {"content", prompt}}}}};
  if (stream) j["stream"] = true;
  return j.dump();
}

// A temp home whose sidecar can be started, killed and started again.
class AuditHome {
public:
  // policy: the whole policy TOML (see gw::test::test_policy).
  explicit AuditHome(const std::string& policy) {
    auto home = m_home.path();
    m_paths = Paths{home / "config", home / "state", home / "state" / "run"};
    std::filesystem::create_directories(m_paths.config_dir);
    std::ofstream(m_paths.config_dir / "policy.toml") << policy;
    m_env = minimal_env(home);
    m_env["GW_CONFIG_DIR"] = m_paths.config_dir.string();
    m_env["GW_STATE_DIR"] = m_paths.state_dir.string();
    m_env["ANTHROPIC_API_KEY"] = k_anthropic_key;
    m_env["OPENAI_API_KEY"] = k_openai_key;
    m_env["GEMINI_API_KEY"] = k_gemini_key;
  }
  const Paths& paths() const { return m_paths; }
  const Env& env() const { return m_env; }
  // Sets (or, with an empty value, clears) a variable for sidecars and CLI runs started later.
  void set_env(const std::string& name, const std::string& value) { m_env[name] = value; }
  std::filesystem::path spool_dir() const { return m_paths.state_dir / "audit"; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  Process& process() { return *m_process; }

  // Starts `gw agent run` (SIGXFSZ ignored, so a lowered RLIMIT_FSIZE makes writes fail with
  // EFBIG instead of killing it) and waits until it serves. Throws when it does not start.
  void start() {
    ProcessOptions po;
    po.argv = {"/bin/sh", "-c", "trap '' XFSZ; exec \"$@\"", "sh", std::string(GW_BINARY_DIR) + "/gw",
               "agent", "run", "--port", "0", "--idle-exit", "0"};
    po.env = m_env;
    m_process = std::make_unique<Process>(po);
    if (!m_process->wait_for_output("sidecar listening", std::chrono::seconds(30)))
      throw std::runtime_error("gw agent did not start: " + m_process->stderr_text());
    auto st = agent::control_call(m_paths, {{"op", "status"}});
    if (!st) throw std::runtime_error("status failed: " + st.error().message);
    m_port = st->value("port", 0);
  }
  // Graceful stop (the spool drains and seals with a checkpoint).
  void stop() {
    if (!m_process) return;
    (void)agent::control_call(m_paths, {{"op", "stop"}});
    if (!m_process->wait(std::chrono::seconds(20))) m_process->kill();
    m_last_output += m_process->stdout_text() + m_process->stderr_text();
    m_process.reset();
  }
  void kill9() {
    m_process->kill();
    m_process->wait(std::chrono::seconds(20));
    m_last_output += m_process->stdout_text() + m_process->stderr_text();
    m_process.reset();
  }
  std::string mint(const std::string& agent = "claude-code") {
    auto s = agent::mint_session(m_paths, agent, ::getpid(), 600);
    if (!s) throw std::runtime_error("mint failed: " + s.error().message);
    return s->token;
  }
  // POSTs a Messages request as Claude Code with this agent session id.
  StreamResult post_claude(const std::string& token, const std::string& agent_session, const std::string& body) {
    auto cli = make_client(base_url());
    cli.set_connection_timeout(5);
    return post_streaming(cli, "/anthropic/v1/messages", body,
                          {{"Authorization", "Bearer " + token}, {"anthropic-version", "2023-06-01"},
                           {"User-Agent", k_claude_ua}, {"X-Claude-Code-Session-Id", agent_session}});
  }
  // Runs `gw ARGS...` with this home's environment; returns {exit code, stdout + stderr}.
  std::pair<int, std::string> gw(std::vector<std::string> args) {
    ProcessOptions po;
    po.argv = {std::string(GW_BINARY_DIR) + "/gw"};
    po.argv.insert(po.argv.end(), args.begin(), args.end());
    po.env = m_env;
    Process p(po);
    auto code = p.wait(std::chrono::seconds(60));
    return {code.value_or(-1), p.stdout_text() + p.stderr_text()};
  }
  // True when nothing the sidecar wrote to stdout/stderr so far contains needle.
  bool process_output_free_of(const std::string& needle) const {
    return m_last_output.find(needle) == std::string::npos;
  }
  ~AuditHome() { stop(); }

private:
  TempDir m_home{"gw-audit-home"};
  Paths m_paths;
  Env m_env;
  std::unique_ptr<Process> m_process;
  int m_port = 0;
  std::string m_last_output;  // what stopped sidecars wrote
};

// Every byte of every spool segment, concatenated in order.
inline std::string spool_text(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> segs;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().filename().string().starts_with("seg-")) segs.push_back(e.path());
  std::sort(segs.begin(), segs.end());
  std::string out;
  for (const auto& s : segs) {
    std::ifstream in(s, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out += ss.str();
  }
  return out;
}

// The event records of the spool (checkpoints and any torn last line left out).
inline std::vector<nlohmann::json> spool_events(const std::filesystem::path& dir) {
  std::vector<nlohmann::json> out;
  std::istringstream in(spool_text(dir));
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("record", "") == "event") out.push_back(std::move(j));
  }
  return out;
}

inline std::vector<nlohmann::json> events_of_kind(const std::vector<nlohmann::json>& evs, const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (const auto& e : evs)
    if (e.value("kind", "") == kind) out.push_back(e);
  return out;
}

// The value of a request header as the fake logged it ("" when absent).
inline std::string logged_header(const nlohmann::json& req, std::string name) {
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  name = lower(name);
  for (const auto& h : req["headers"])
    if (lower(h[0].get<std::string>()) == name) return h[1];
  return "";
}

// Sets the soft RLIMIT_FSIZE of a running process (RLIM_INFINITY: no limit).
inline void set_file_size_limit(pid_t pid, rlim_t bytes) {
  struct rlimit cur {};
  if (::prlimit(pid, RLIMIT_FSIZE, nullptr, &cur) != 0) throw std::runtime_error("prlimit get failed");
  struct rlimit next {bytes, cur.rlim_max};
  if (::prlimit(pid, RLIMIT_FSIZE, &next, nullptr) != 0) throw std::runtime_error("prlimit set failed");
}

}  // namespace gw::test::audit
