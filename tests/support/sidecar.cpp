#include "tests/support/sidecar.hpp"

#include <fstream>
#include <stdexcept>

#include "agent/control_client.hpp"
#include "tests/support/http_client.hpp"

namespace gw::test {

std::string test_policy(const std::string& base) {
  return "version = \"test\"\n"
         "[providers.anthropic]\nbase_url = \"" + base + "\"\ncredential = { env = \"ANTHROPIC_API_KEY\" }\n"
         "[providers.openai]\nbase_url = \"" + base + "\"\ncredential = { env = \"OPENAI_API_KEY\" }\n"
         "[providers.gemini]\nbase_url = \"" + base + "\"\ncredential = { env = \"GEMINI_API_KEY\" }\n"
         "[local]\nkey = \"dev\"\n"
         "[keys.dev]\nowner = \"dev@example.com\"\nproviders = [\"anthropic\", \"openai\", \"gemini\"]\nmodels = [\"*\"]\n";
}

Sidecar::Sidecar(FakeProvider& fake, SidecarOptions opts) {
  auto home = m_home.path();
  m_paths = Paths{home / "config", home / "state", home / "state" / "run"};
  std::filesystem::create_directories(m_paths.config_dir);
  {
    std::ofstream p(m_paths.config_dir / "policy.toml");
    p << test_policy(opts.upstream_base.empty() ? fake.base_url() : opts.upstream_base) << opts.extra_policy;
  }
  m_env = minimal_env(home);
  m_env["GW_CONFIG_DIR"] = m_paths.config_dir.string();
  m_env["GW_STATE_DIR"] = m_paths.state_dir.string();
  m_env["ANTHROPIC_API_KEY"] = k_anthropic_key;
  m_env["OPENAI_API_KEY"] = k_openai_key;
  m_env["GEMINI_API_KEY"] = k_gemini_key;
  for (auto& [k, v] : opts.extra_env) m_env[k] = v;
  ProcessOptions po;
  po.argv = {std::string(GW_BINARY_DIR) + "/gw", "agent", "run", "--port", "0", "--idle-exit", "0"};
  for (auto& a : opts.extra_args) po.argv.push_back(a);
  po.env = m_env;
  m_process = std::make_unique<Process>(po);
  if (!m_process->wait_for_output("sidecar listening", std::chrono::seconds(20)))
    throw std::runtime_error("gw agent did not start: " + m_process->stderr_text());
  auto st = status();
  m_port = st.value("port", 0);
  if (m_port <= 0) throw std::runtime_error("gw agent status has no port: " + st.dump());
}

Sidecar::~Sidecar() {
  if (m_process && m_process->running()) {
    (void)agent::control_call(m_paths, {{"op", "stop"}});
    if (!m_process->wait(std::chrono::seconds(10))) m_process->kill();
  }
}

std::string Sidecar::mint(const std::string& agent, int64_t ttl_s) {
  auto s = agent::mint_session(m_paths, agent, ::getpid(), ttl_s);
  if (!s) throw std::runtime_error("mint failed: " + s.error().message);
  return s->token;
}

nlohmann::json Sidecar::status() {
  auto r = agent::control_call(m_paths, {{"op", "status"}});
  if (!r) throw std::runtime_error("status failed: " + r.error().message);
  return *r;
}

httplib::Client Sidecar::client() const { return make_client(base_url()); }

}  // namespace gw::test
