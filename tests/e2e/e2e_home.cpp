#include "tests/e2e/e2e_home.hpp"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "agent/control_client.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace gw::e2e {

namespace {

Paths paths_for(const fs::path& home) {
  Paths p;
  p.config_dir = home / "config";
  p.state_dir = home / "state";
  p.run_dir = p.state_dir / "run";
  return p;
}

// Processes whose environment has HOME=<home>: only this test's agents, sidecar and leftovers.
std::vector<pid_t> processes_with_home(const fs::path& home) {
  std::vector<pid_t> pids;
  std::string needle = "HOME=" + home.string();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == ::getpid()) continue;
    std::ifstream in(entry.path() / "environ", std::ios::binary);
    std::string var;
    while (std::getline(in, var, '\0')) {
      if (var == needle) {
        pids.push_back(pid);
        break;
      }
    }
  }
  return pids;
}

}  // namespace

std::string RunResult::describe() const {
  std::ostringstream s;
  s << "exit " << exit_code << "\n--- stdout ---\n" << out << "\n--- stderr ---\n" << err;
  return s.str();
}

fs::path agents_bin_dir() {
  if (const char* d = std::getenv("GW_AGENTS_DIR"); d && *d) return fs::path(d) / "node_modules" / ".bin";
  return fs::path(GW_SOURCE_DIR) / ".agents" / "node_modules" / ".bin";
}

E2eHome::E2eHome() {
  fs::path bin = agents_bin_dir();
  for (const char* agent : {"claude", "codex", "gemini"}) {
    if (!fs::exists(bin / agent)) {
      throw std::runtime_error("the real agents are not installed in " + bin.string() +
                               " (missing " + agent + "); run tests/setup_agents.sh first");
    }
  }
  test::FakeProviderOptions fo;
  fo.expect_keys = {"anthropic=" + k_anthropic_key, "openai=" + k_openai_key,
                    "gemini=" + k_gemini_key};
  m_fake = std::make_unique<test::FakeProvider>(fo);

  Paths p = paths_for(home());
  fs::create_directories(p.config_dir);
  fs::create_directories(home() / "work");
  std::string url = m_fake->base_url();
  std::ofstream(p.config_dir / "policy.toml")
      << "version = \"e2e\"\n"
      << "[local]\nkey = \"dev\"\n"
      << "[providers.anthropic]\nbase_url = \"" << url << "\"\n"
      << "[providers.openai]\nbase_url = \"" << url << "\"\n"
      << "[providers.gemini]\nbase_url = \"" << url << "\"\n"
      << "[keys.dev]\nproviders = [\"anthropic\", \"openai\", \"gemini\"]\nmodels = [\"*\"]\n";

  m_env = test::minimal_env(home());
  m_env["PATH"] = bin.string() + ":" + m_env["PATH"];
  m_env["GW_CONFIG_DIR"] = p.config_dir.string();
  m_env["GW_STATE_DIR"] = p.state_dir.string();
  m_env["GW_AGENT_PORT"] = "0";
  m_env["ANTHROPIC_API_KEY"] = k_anthropic_key;  // read by the sidecar, stripped for the agents
  m_env["OPENAI_API_KEY"] = k_openai_key;
  m_env["GEMINI_API_KEY"] = k_gemini_key;
  m_env["GEMINI_CLI_TRUST_WORKSPACE"] = "true";  // headless Gemini in an untrusted temp dir
  m_env["TERM"] = "dumb";
}

E2eHome::~E2eHome() {
  (void)agent::control_call(paths_for(home()), json{{"op", "stop"}}, 5000);
  // Leftovers (a `codex app-server` daemon, a sidecar that did not stop): this HOME only.
  for (pid_t pid : processes_with_home(home())) ::kill(pid, SIGKILL);
}

RunResult E2eHome::gw(const std::vector<std::string>& args, std::chrono::seconds timeout,
                      std::optional<std::string> stdin_data) {
  test::ProcessOptions po;
  po.stdin_data = std::move(stdin_data);
  po.argv.push_back((fs::path(GW_BINARY_DIR) / "gw").string());
  po.argv.insert(po.argv.end(), args.begin(), args.end());
  po.env = m_env;
  po.cwd = home() / "work";
  test::Process proc(po);
  RunResult r;
  auto code = proc.wait(timeout);
  if (code) r.exit_code = *code;
  else proc.kill();
  r.out = proc.stdout_text();
  r.err = proc.stderr_text();
  return r;
}

std::vector<json> E2eHome::model_requests(const std::string& api) const {
  std::vector<json> out;
  for (auto& r : m_fake->requests()) {
    if (r.value("method", "") != "POST") continue;
    if (r.contains("api") && r["api"].is_string() && r["api"] == api) out.push_back(r);
  }
  return out;
}

std::string E2eHome::credential_of(const json& request) {
  for (const auto& h : request.value("headers", json::array())) {
    if (!h.is_array() || h.size() != 2) continue;
    std::string name = h[0].get<std::string>();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = h[1].get<std::string>();
    if (name == "x-api-key" || name == "x-goog-api-key") return value;
    if (name == "authorization" && value.starts_with("Bearer ")) return value.substr(7);
  }
  return {};
}

std::vector<std::string> E2eHome::all_header_values() const {
  std::vector<std::string> out;
  for (auto& r : m_fake->requests()) {
    for (const auto& h : r.value("headers", json::array())) {
      if (h.is_array() && h.size() == 2 && h[1].is_string()) out.push_back(h[1].get<std::string>());
    }
  }
  return out;
}

}  // namespace gw::e2e
