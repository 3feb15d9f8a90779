// Gemini CLI: GOOGLE_GEMINI_BASE_URL + GEMINI_API_KEY, and security.auth.selectedType must be
// "gemini-api-key" (with the base URL alone the CLI auto-selects "gateway" and then rejects it).
//
// How the setting is put in force without touching the user's files: Gemini CLI 0.61 reads its
// user settings from $GEMINI_CLI_HOME/.gemini/settings.json (GEMINI_CLI_HOME overrides the home
// directory for everything under .gemini). The launcher points GEMINI_CLI_HOME at an overlay
// whose .gemini holds a merged settings.json and symlinks to every other entry of the real
// ~/.gemini. GEMINI_CLI_SYSTEM_SETTINGS_PATH was considered and rejected: the CLI skips a system
// settings file unless it and every parent directory are owned by root and not group/world
// writable, which a per-user temporary file never is
// (see docs/adr/0008-launch-agent-config-overlays.md).
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/launch/agents.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace gw::launch {

namespace {

constexpr const char* k_auth_type = "gemini-api-key";

std::string read_text(const fs::path& p) {
  std::ifstream in{p};
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<json> parse_settings(std::string_view text, const std::string& path) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (j.is_discarded() || !j.is_object()) {
    return fail(Errc::config, path + ": not a JSON object; fix it (Gemini CLI reads it too)");
  }
  return j;
}

const json* auth_field(const json& settings, const char* name) {
  auto sec = settings.find("security");
  if (sec == settings.end() || !sec->is_object()) return nullptr;
  auto auth = sec->find("auth");
  if (auth == sec->end() || !auth->is_object()) return nullptr;
  auto f = auth->find(name);
  return f == auth->end() ? nullptr : &*f;
}

}  // namespace

Result<std::string> gemini_overlay_settings(std::string_view user_json, bool suppress) {
  GW_TRY(settings, parse_settings(user_json, "settings.json"));
  if (const json* enforced = auth_field(settings, "enforcedType");
      enforced != nullptr && *enforced != k_auth_type) {
    return fail(Errc::denied,
                "gw gemini: your settings.json enforces auth type " + enforced->dump() +
                    "; gw needs \"gemini-api-key\" to route Gemini CLI through the sidecar");
  }
  if (!settings["security"].is_object()) settings["security"] = json::object();
  json& auth = settings["security"]["auth"];
  if (!auth.is_object()) auth = json::object();
  auth["selectedType"] = k_auth_type;
  auth.erase("useExternal");
  if (suppress) {
    if (!settings["privacy"].is_object()) settings["privacy"] = json::object();
    settings["privacy"]["usageStatisticsEnabled"] = false;
  }
  return settings.dump(2) + "\n";
}

Status check_gemini_workspace(std::string_view workspace_json, const std::string& path) {
  auto settings = parse_settings(workspace_json, path);
  if (!settings) return {};  // Gemini CLI reports a broken file itself
  for (const char* field : {"selectedType", "enforcedType"}) {
    const json* v = auth_field(*settings, field);
    if (v != nullptr && *v != k_auth_type) {
      return fail(Errc::denied, "gw gemini: " + path + " sets security.auth." + field + " = " +
                                    v->dump() +
                                    ", which overrides gw's \"gemini-api-key\" and would send "
                                    "Gemini CLI's traffic around the gw sidecar. Remove it, or "
                                    "run gw gemini from another directory.");
    }
  }
  if (const json* ext = auth_field(*settings, "useExternal"); ext != nullptr && *ext == true) {
    return fail(Errc::denied, "gw gemini: " + path +
                                  " sets security.auth.useExternal, which bypasses gw's "
                                  "credentials; remove it to run through gw.");
  }
  return {};
}

Result<LaunchPlan> plan_gemini(const LaunchContext& ctx) {
  std::string home = env_get(ctx.parent_env, "GEMINI_CLI_HOME");
  fs::path base = home.empty() ? fs::path(env_get(ctx.parent_env, "HOME")) : fs::path(home);
  fs::path real = base / ".gemini";

  fs::path workspace = ctx.cwd / ".gemini" / "settings.json";
  GW_CHECK(check_gemini_workspace(read_text(workspace), workspace.string()));
  auto settings = gemini_overlay_settings(read_text(real / "settings.json"), ctx.suppress_telemetry);
  if (!settings) {
    auto e = settings.error();
    if (e.code == Errc::config) e.message = (real / e.message).string();
    return std::unexpected(e);
  }

  GW_TRY(overlay, HomeOverlay::create(ctx.overlay_parent, "gemini", ".gemini", real,
                                      {"settings.json"}));
  GW_CHECK(overlay.write_file("settings.json", *settings));
  // Gemini CLI also reads ~/.env (relative to its home); keep the user's one visible.
  std::error_code ec;
  if (fs::exists(base / ".env", ec)) fs::create_symlink(base / ".env", overlay.root() / ".env", ec);

  LaunchPlan plan;
  // Gemini's model client sends through HTTP(S)_PROXY whatever NO_PROXY says.
  plan.env = base_child_env(ctx, /*drop_proxies=*/true);
  plan.env["GEMINI_CLI_HOME"] = overlay.root().string();
  plan.env["GOOGLE_GEMINI_BASE_URL"] = loopback_url(ctx.port, "/gemini");
  plan.env["GEMINI_API_KEY"] = ctx.token;
  plan.args = ctx.user_args;
  plan.overlay.emplace(std::move(overlay));
  return plan;
}

}  // namespace gw::launch
