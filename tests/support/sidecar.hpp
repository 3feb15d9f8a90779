#pragma once
// A real `gw agent run` process for integration tests: temp HOME with its own config and state
// dirs, a policy pointing the three providers at a FakeProvider, real-looking provider keys in
// the sidecar's environment, port 0. Mints session tokens through the real control API.
#include <httplib.h>

#include <memory>
#include <string>

#include "agent/control_client.hpp"
#include "core/common/paths.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::test {

inline constexpr const char* k_anthropic_key = "sk-ant-api03-REALKEY-for-tests";
inline constexpr const char* k_openai_key = "sk-proj-REALKEY-for-tests";
inline constexpr const char* k_gemini_key = "AIzaREALKEY-for-tests";

struct SidecarOptions {
  std::string extra_policy;          // appended to the generated policy TOML
  std::vector<std::string> extra_args;
  Env extra_env;
  std::string upstream_base;         // default: the fake's base_url
};

// The policy text the harness writes (also used by e2e tests): providers at `base`, keys from
// env, launcher sessions bound to key "dev" allowed every model.
std::string test_policy(const std::string& base);

class Sidecar {
public:
  Sidecar(FakeProvider& fake, SidecarOptions opts = {});
  ~Sidecar();
  int port() const { return m_port; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  const Paths& paths() const { return m_paths; }
  const std::filesystem::path& home() const { return m_home.path(); }
  Process& process() { return *m_process; }
  // Mints a session through the control API (owner: this test process).
  std::string mint(const std::string& agent = "claude-code", int64_t ttl_s = 600);
  nlohmann::json status();
  httplib::Client client() const;
  // The environment the sidecar runs with (HOME, GW dirs, provider keys): for running `gw` CLI
  // commands against this sidecar.
  const Env& env() const { return m_env; }

private:
  TempDir m_home{"gw-home"};
  Paths m_paths;
  Env m_env;
  std::unique_ptr<Process> m_process;
  int m_port = 0;
};

}  // namespace gw::test
