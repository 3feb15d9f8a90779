// Codex CLI ignores OPENAI_BASE_URL, so the launcher gives it a custom model provider "gw"
// (wire_api "responses", no websockets, token from GW_SESSION_TOKEN) twice over: in a temporary
// CODEX_HOME overlay whose config.toml is the user's own plus the provider, and as `-c` flags,
// which win over every config file and survive `exec --ignore-user-config`. auth.json is never
// placed in the overlay, so no ChatGPT login or API key is available to the agent.
#include <fstream>
#include <sstream>

#include "cli/launch/agents.hpp"
#include "core/config/toml_include.hpp"

namespace fs = std::filesystem;

namespace gw::launch {

namespace {

constexpr const char* k_provider_id = "gw";
constexpr const char* k_token_env = "GW_SESSION_TOKEN";

Result<toml::table> parse_toml(std::string_view text) {
  if (text.empty()) return toml::table{};
  toml::parse_result parsed = toml::parse(text, std::string_view{"config.toml"});
  if (!parsed) {
    const auto& err = parsed.error();
    std::ostringstream msg;
    msg << "config.toml:" << err.source().begin.line << ":" << err.source().begin.column << ": "
        << err.description();
    return fail(Errc::config, msg.str());
  }
  return std::move(parsed).table();
}

bool key_selects_endpoint(std::string_view key) {
  return key.find("model_provider") != std::string_view::npos ||
         key.find("base_url") != std::string_view::npos;
}

// Whether profile `name` of the user's config picks a provider or an endpoint.
bool profile_selects_endpoint(const toml::table& cfg, const std::string& name) {
  const toml::table* profile = cfg["profiles"][name].as_table();
  if (profile == nullptr) return false;
  for (const auto& [k, v] : *profile) {
    if (key_selects_endpoint(k.str())) return true;
  }
  return false;
}

// `-c` values look like `dotted.key=value`; quotes and spaces in the key are not significant.
std::string config_key(std::string_view assignment) {
  std::string key;
  for (char c : assignment.substr(0, assignment.find('='))) {
    if (c != '"' && c != '\'' && c != ' ' && c != '\t') key += c;
  }
  return key;
}

std::string refusal(std::string_view what) {
  return "gw codex: refusing `" + std::string(what) +
         "`: it would send Codex's model traffic around the gw sidecar. gw sets the model "
         "provider itself; remove this argument (use -m/--model to pick a model).";
}

}  // namespace

Result<std::string> codex_overlay_config(std::string_view user_toml, int port, bool suppress) {
  GW_TRY(cfg, parse_toml(user_toml));
  cfg.insert_or_assign("model_provider", k_provider_id);
  toml::table provider{{"name", "gw (loopback gateway)"},
                       {"base_url", loopback_url(port, "/openai/v1")},
                       {"env_key", k_token_env},
                       {"wire_api", "responses"},
                       {"supports_websockets", false}};
  if (!cfg["model_providers"].is_table()) cfg.insert_or_assign("model_providers", toml::table{});
  cfg["model_providers"].as_table()->insert_or_assign(k_provider_id, std::move(provider));
  if (toml::table* profiles = cfg["profiles"].as_table()) {
    for (auto& [name, node] : *profiles) {
      toml::table* profile = node.as_table();
      if (profile == nullptr) continue;
      std::vector<std::string> drop;
      for (const auto& [k, v] : *profile) {
        if (key_selects_endpoint(k.str())) drop.emplace_back(k.str());
      }
      for (const auto& k : drop) profile->erase(k);
    }
  }
  if (suppress) {
    cfg.insert_or_assign("check_for_update_on_startup", false);
    if (!cfg["analytics"].is_table()) cfg.insert_or_assign("analytics", toml::table{});
    cfg["analytics"].as_table()->insert_or_assign("enabled", false);
    if (!cfg["features"].is_table()) cfg.insert_or_assign("features", toml::table{});
    cfg["features"].as_table()->insert_or_assign("plugins", false);
  }
  std::ostringstream out;
  out << "# Written by gw for one launch of Codex; removed when Codex exits.\n"
      << "# Your own config is " << "$CODEX_HOME/config.toml; edit that one.\n"
      << toml::toml_formatter{cfg} << "\n";
  return out.str();
}

Status check_codex_args(const std::vector<std::string>& args, std::string_view user_toml) {
  auto cfg = parse_toml(user_toml);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    auto next = [&]() -> std::string { return i + 1 < args.size() ? args[i + 1] : std::string(); };
    std::string assignment;
    bool is_config = false;
    if (a == "-c" || a == "--config") {
      assignment = next();
      is_config = true;
      ++i;
    } else if (a.starts_with("--config=")) {
      assignment = a.substr(9);
      is_config = true;
    } else if (a.starts_with("-c") && a.size() > 2 && a[2] != '-') {
      assignment = a.substr(a[2] == '=' ? 3 : 2);
      is_config = true;
    }
    if (is_config) {
      std::string key = config_key(assignment);
      if (key_selects_endpoint(key) || key == "profile") {
        return fail(Errc::denied, refusal("-c " + assignment.substr(0, assignment.find('=')) + "=…"));
      }
      continue;
    }
    if (a == "--oss" || a == "--local-provider" || a.starts_with("--local-provider=") ||
        a == "--remote" || a.starts_with("--remote=")) {
      return fail(Errc::denied, refusal(a.substr(0, a.find('='))));
    }
    std::string profile;
    if (a == "-p" || a == "--profile") {
      profile = next();
      ++i;
    } else if (a.starts_with("--profile=")) {
      profile = a.substr(10);
    } else if (a.starts_with("-p") && a.size() > 2 && a[2] != '-') {
      profile = a.substr(a[2] == '=' ? 3 : 2);
    }
    if (!profile.empty() && cfg && profile_selects_endpoint(*cfg, profile)) {
      return fail(Errc::denied,
                  "gw codex: refusing `--profile " + profile + "`: that profile in your Codex " +
                      "config.toml sets a model provider or base URL, which would send Codex's " +
                      "model traffic around the gw sidecar. Use a profile without " +
                      "model_provider/base_url, or none.");
    }
  }
  return {};
}

std::vector<std::string> codex_forced_args(int port) {
  // Values are TOML; the inline table mirrors the overlay's [model_providers.gw].
  std::ostringstream provider;
  provider << "model_providers." << k_provider_id << "={name=\"gw (loopback gateway)\",base_url=\""
           << loopback_url(port, "/openai/v1") << "\",env_key=\"" << k_token_env
           << "\",wire_api=\"responses\",supports_websockets=false}";
  return {"-c", std::string("model_provider=\"") + k_provider_id + "\"", "-c", provider.str()};
}

Result<LaunchPlan> plan_codex(const LaunchContext& ctx) {
  std::string home = env_get(ctx.parent_env, "CODEX_HOME");
  fs::path real = home.empty() ? fs::path(env_get(ctx.parent_env, "HOME")) / ".codex" : fs::path(home);
  std::string user_toml;
  fs::path cfg_path = real / "config.toml";
  if (std::ifstream in{cfg_path}) {
    std::ostringstream ss;
    ss << in.rdbuf();
    user_toml = ss.str();
  }
  GW_CHECK(check_codex_args(ctx.user_args, user_toml));
  auto config = codex_overlay_config(user_toml, ctx.port, ctx.suppress_telemetry);
  if (!config) return fail(Errc::config, real.string() + "/" + config.error().message);

  GW_TRY(overlay, HomeOverlay::create(ctx.overlay_parent, "codex", "", real,
                                      {"config.toml", "auth.json"}));
  GW_CHECK(overlay.write_file("config.toml", *config));

  LaunchPlan plan;
  plan.env = base_child_env(ctx, /*drop_proxies=*/false);
  plan.env["CODEX_HOME"] = overlay.root().string();
  plan.env[k_token_env] = ctx.token;
  plan.args = codex_forced_args(ctx.port);
  if (ctx.suppress_telemetry) {
    for (const char* kv : {"analytics.enabled=false", "features.plugins=false",
                           "check_for_update_on_startup=false"}) {
      plan.args.push_back("-c");
      plan.args.push_back(kv);
    }
  }
  plan.args.insert(plan.args.end(), ctx.user_args.begin(), ctx.user_args.end());
  plan.overlay.emplace(std::move(overlay));
  return plan;
}

}  // namespace gw::launch
