// Claude Code: first-class gateway mode (CLAUDE_CODE_USE_GATEWAY=1 with ANTHROPIC_BASE_URL and
// ANTHROPIC_AUTH_TOKEN). In this mode Claude Code 2.1.x sends no preconnect and talks to no other
// host (AGENTS-WIRE.md), and it accepts a plain-http base URL on loopback.
#include "cli/launch/agents.hpp"

namespace gw::launch {

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

Result<LaunchPlan> plan_claude(const LaunchContext& ctx) {
  LaunchPlan plan;
  plan.args = ctx.user_args;
  plan.env = base_child_env(ctx, /*drop_proxies=*/false);
  plan.env["ANTHROPIC_BASE_URL"] = loopback_url(ctx.port, "/anthropic");
  plan.env["ANTHROPIC_AUTH_TOKEN"] = ctx.token;
  plan.env["CLAUDE_CODE_USE_GATEWAY"] = "1";
  if (ctx.suppress_telemetry) {
    plan.env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
    plan.env["DISABLE_TELEMETRY"] = "1";
  }
  return plan;
}

}  // namespace gw::launch
