#pragma once
// How each agent is pointed at the sidecar. plan_<agent>() is called once per launch, after the
// session was minted and before the agent starts; it returns the argv and environment for the
// child and owns any temporary files (overlays) until the launcher calls LaunchPlan::finish().
// The plans never print and never exit; every refusal is an Errc::denied with a message that
// says which argument or setting would send traffic around the sidecar.
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/launch/env.hpp"
#include "cli/launch/overlay.hpp"
#include "core/common/result.hpp"

namespace gw::launch {

// What every plan needs to know.
struct LaunchContext {
  EnvMap parent_env;                     // the launcher's own environment
  std::vector<std::string> user_args;    // passed through verbatim
  int port = 0;                          // the sidecar's loopback port
  std::string token;                     // the session token (secret: env only, never argv)
  bool suppress_telemetry = true;
  std::filesystem::path overlay_parent;  // private dir for overlays (under the run dir)
  std::filesystem::path cwd;             // where the agent runs
};

struct LaunchPlan {
  std::vector<std::string> args;      // arguments after the binary name
  EnvMap env;                         // the complete child environment
  std::optional<HomeOverlay> overlay; // removed by finish()

  // Called once after the agent exited; returns overlay entries that could not be kept.
  std::set<std::string> finish() { return overlay ? overlay->finish() : std::set<std::string>{}; }
};

// The environment every agent starts from: the parent's, without provider credentials and base
// URLs, loopback exempt from proxies (drop_proxies: remove proxy variables altogether).
EnvMap base_child_env(const LaunchContext& ctx, bool drop_proxies);

std::string loopback_url(int port, std::string_view prefix);  // http://127.0.0.1:PORT/prefix

Result<LaunchPlan> plan_claude(const LaunchContext& ctx);
Result<LaunchPlan> plan_codex(const LaunchContext& ctx);
Result<LaunchPlan> plan_gemini(const LaunchContext& ctx);

// ---- pure pieces, unit-tested -------------------------------------------------------------

// Claude: the user's arguments without their --settings, and the settings JSON that replaces
// them: the user's --settings (inline JSON or a file relative to cwd, merged in order) with
// forced_env written over its "env" block.
struct ClaudeSettingsArgs {
  std::vector<std::string> args;
  std::string settings_json;
};
Result<ClaudeSettingsArgs> claude_settings_args(const std::vector<std::string>& user_args,
                                                const EnvMap& forced_env,
                                                const std::filesystem::path& cwd);

// Codex: the overlay's config.toml: the user's config (text of $CODEX_HOME/config.toml, may be
// empty) with model_provider = "gw", [model_providers.gw] pointing at the sidecar, the provider
// selection removed from every profile, and (suppress) analytics/plugins/update checks off.
Result<std::string> codex_overlay_config(std::string_view user_toml, int port, bool suppress);
// Codex: refuses user arguments that would select another provider or endpoint (-c model_provider,
// -c model_providers.*, -c *base_url*, -c profile=..., --oss, --local-provider, --remote, and
// --profile naming a profile of user_toml that selects a provider or a base URL).
Status check_codex_args(const std::vector<std::string>& args, std::string_view user_toml);
// Codex: the -c flags the launcher puts before the user's arguments (they win over config files).
std::vector<std::string> codex_forced_args(int port);

// Gemini: the overlay's settings.json: the user's settings (JSON with comments allowed; may be
// empty) with security.auth.selectedType = "gemini-api-key" and (suppress) usage statistics off.
Result<std::string> gemini_overlay_settings(std::string_view user_json, bool suppress);
// Gemini: refuses a workspace settings file (<cwd>/.gemini/settings.json, text may be empty)
// that selects or enforces another auth type; workspace settings win over user settings.
Status check_gemini_workspace(std::string_view workspace_json, const std::string& path);

}  // namespace gw::launch
