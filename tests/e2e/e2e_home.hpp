#pragma once
// One end-to-end world per test: a temp HOME with GW_STATE_DIR/GW_CONFIG_DIR inside it, a fake
// provider that accepts only the real provider keys, a policy pointing the three providers at
// it, and `gw <agent> ...` run with the real agents (installed by tests/setup_agents.sh) on PATH.
// The destructor stops the sidecar through its control API and kills any process still running
// with this HOME (Codex can leave `codex app-server` daemons behind).
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::e2e {

// Real-looking provider keys: the fake provider accepts only these (401 otherwise), so a request
// that reached it without passing through the sidecar's credential swap is visible in its log.
inline const std::string k_anthropic_key = "sk-ant-api03-e2eREALkeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-AAAAAAAA";
inline const std::string k_openai_key = "sk-proj-e2eREALkeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
inline const std::string k_gemini_key = "AIzaSyE2eREALkeyCCCCCCCCCCCCCCCCCCCCCCC";

struct RunResult {
  int exit_code = -1;  // -1: still running at the deadline (then killed)
  std::string out;
  std::string err;
  std::string describe() const;  // exit code + both streams, for failure messages
};

class E2eHome {
public:
  E2eHome();
  ~E2eHome();

  // Runs `gw <args...>` in <home>/work with stdin from /dev/null (or `stdin_data`) and waits up
  // to `timeout`.
  RunResult gw(const std::vector<std::string>& args,
               std::chrono::seconds timeout = std::chrono::seconds(180),
               std::optional<std::string> stdin_data = std::nullopt);

  test::FakeProvider& fake() { return *m_fake; }
  const std::filesystem::path& home() const { return m_home.path(); }
  // The model requests the fake saw (test routes and HEAD/GET preconnects excluded).
  std::vector<nlohmann::json> model_requests(const std::string& api) const;
  // The credential the request carried (x-api-key, x-goog-api-key or Bearer), "" when none.
  static std::string credential_of(const nlohmann::json& request);
  // Every header value of every logged request, for "never saw the session token" checks.
  std::vector<std::string> all_header_values() const;

private:
  test::TempDir m_home{"gw-e2e"};
  std::unique_ptr<test::FakeProvider> m_fake;
  test::Env m_env;
};

// Where the agents' bin dir is: $GW_AGENTS_DIR/node_modules/.bin, else <source>/.agents/...
std::filesystem::path agents_bin_dir();

}  // namespace gw::e2e
