// Claude Code: first-class gateway mode (CLAUDE_CODE_USE_GATEWAY=1 with ANTHROPIC_BASE_URL and
// ANTHROPIC_AUTH_TOKEN). In this mode Claude Code 2.1.x sends no preconnect and talks to no other
// host (AGENTS-WIRE.md), and it accepts a plain-http base URL on loopback.
//
// Claude Code applies the `env` block of its settings files over the process environment, so a
// user's ~/.claude/settings.json with env.ANTHROPIC_BASE_URL (or CLAUDE_CODE_USE_BEDROCK) would
// re-route it. The same variables therefore also go into a `--settings` file (flag settings win
// over user and project settings), merged over any --settings the user passed.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/launch/agents.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace gw::launch {

namespace {
constexpr const char* k_settings_file = "gw-claude-settings.json";
}  // namespace

Result<ClaudeSettingsArgs> claude_settings_args(const std::vector<std::string>& user_args,
                                                const EnvMap& forced_env, const fs::path& cwd) {
  ClaudeSettingsArgs out;
  json settings = json::object();
  for (size_t i = 0; i < user_args.size(); ++i) {
    const std::string& a = user_args[i];
    std::string value;
    if (a == "--settings" && i + 1 < user_args.size()) {
      value = user_args[++i];
    } else if (a.starts_with("--settings=")) {
      value = a.substr(11);
    } else {
      out.args.push_back(a);
      continue;
    }
    std::string text = value;
    auto first = value.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || value[first] != '{') {
      fs::path file = fs::path(value).is_absolute() ? fs::path(value) : cwd / value;
      std::ifstream in{file};
      if (!in) return fail(Errc::invalid_argument, "gw claude: cannot read --settings " + value);
      std::ostringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    json user = json::parse(text, nullptr, false);
    if (user.is_discarded() || !user.is_object()) {
      return fail(Errc::invalid_argument, "gw claude: --settings " + value + " is not a JSON object");
    }
    settings.merge_patch(user);
  }
  if (!settings["env"].is_object()) settings["env"] = json::object();
  for (const auto& [k, v] : forced_env) settings["env"][k] = v;
  out.settings_json = settings.dump(2) + "\n";
  return out;
}

EnvMap base_child_env(const LaunchContext& ctx, bool drop_proxies) {
  EnvMap env = ctx.parent_env;
  strip_provider_env(env);
  protect_loopback_from_proxy(env, drop_proxies);
  return env;
}

std::string loopback_url(int port, std::string_view prefix) {
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  if (!prefix.empty()) {
    if (prefix.front() != '/') url += '/';
    url += prefix;
  }
  return url;
}

EnvMap claude_forced_env(const LaunchContext& ctx) {
  EnvMap forced;
  // Settings files may set the provider switches and keys too: neutralise them ("" is unset).
  for (auto name : stripped_env_names()) {
    if (name.starts_with("ANTHROPIC_") || name.starts_with("CLAUDE_CODE_") ||
        name.starts_with("AWS_BEARER")) {
      forced[std::string(name)] = "";
    }
  }
  forced["ANTHROPIC_BASE_URL"] = loopback_url(ctx.port, "/anthropic");
  forced["ANTHROPIC_AUTH_TOKEN"] = ctx.token;
  forced["CLAUDE_CODE_USE_GATEWAY"] = "1";
  if (ctx.suppress_telemetry) {
    forced["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
    forced["DISABLE_TELEMETRY"] = "1";
  }
  return forced;
}

Result<LaunchPlan> plan_claude(const LaunchContext& ctx) {
  EnvMap forced = claude_forced_env(ctx);
  GW_TRY(settings, claude_settings_args(ctx.user_args, forced, ctx.cwd));
  GW_TRY(overlay, HomeOverlay::create(ctx.overlay_parent, "claude", "", fs::path(),
                                      {k_settings_file}));
  GW_CHECK(overlay.write_file(k_settings_file, settings.settings_json));

  LaunchPlan plan;
  plan.env = base_child_env(ctx, /*drop_proxies=*/false);
  for (const auto& [k, v] : forced) {
    if (!v.empty()) plan.env[k] = v;
  }
  plan.args = {"--settings", (overlay.dir() / k_settings_file).string()};
  plan.args.insert(plan.args.end(), settings.args.begin(), settings.args.end());
  plan.overlay.emplace(std::move(overlay));
  return plan;
}

}  // namespace gw::launch
