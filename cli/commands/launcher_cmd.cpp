// gw claude|codex|gemini ARGS...: runs the real agent with the gw sidecar as its only endpoint.
// Order: find the agent binary (fail fast) -> make sure the sidecar runs -> mint a session token
// bound to this launcher's pid -> build the agent's argv/env/overlay -> run it as a child ->
// remove the overlay, revoke the session -> end the way the agent ended (exit code or signal).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/control_client.hpp"
#include "cli/commands/commands.hpp"
#include "cli/commands/progress.hpp"
#include "cli/launch/agents.hpp"
#include "cli/launch/child.hpp"
#include "core/common/paths.hpp"
#include "core/config/policy.hpp"

extern char** environ;

namespace gw::cli {

namespace {

// A session outlives neither its launcher (owner pid) nor this bound; a TUI left open longer
// than a day needs a relaunch.
constexpr int64_t k_session_ttl_s = 24 * 60 * 60;

struct AgentInfo {
  const char* command;     // gw <command>
  const char* binary;      // on PATH
  const char* session_id;  // the agent name the sidecar knows
  Result<launch::LaunchPlan> (*plan)(const launch::LaunchContext&);
};

const AgentInfo* find_agent(const std::string& command) {
  static const AgentInfo k_agents[] = {
      {"claude", "claude", "claude-code", launch::plan_claude},
      {"codex", "codex", "codex", launch::plan_codex},
      {"gemini", "gemini", "gemini-cli", launch::plan_gemini},
  };
  for (const auto& a : k_agents) {
    if (command == a.command) return &a;
  }
  return nullptr;
}

int report(const std::string& agent, const Error& e) {
  std::fprintf(stderr, "gw %s: %s\n", agent.c_str(), e.message.c_str());
  return e.code == Errc::denied || e.code == Errc::invalid_argument ? 2 : 1;
}

// The environment variables the sidecar's policy reads provider keys from: the launcher passes
// its environment to the sidecar it starts, but the agent must never see them. The policy is the
// one the sidecar picks ($GW_POLICY, else <config>/policy.toml, else the built-in default); when
// it cannot be read the built-in names are still removed (and the sidecar reports the error).
std::vector<std::string> credential_env_names(const launch::EnvMap& env, const Paths& paths) {
  std::shared_ptr<const config::Policy> policy = config::default_policy();
  std::filesystem::path file = launch::env_get(env, "GW_POLICY");
  std::error_code ec;
  if (file.empty() && std::filesystem::exists(paths.config_dir / "policy.toml", ec)) {
    file = paths.config_dir / "policy.toml";
  }
  if (!file.empty()) {
    if (auto loaded = config::load_policy_file(file)) policy = *loaded;
  }
  std::vector<std::string> names;
  for (const auto& [id, provider] : policy->providers) {
    if (provider.credential.kind == config::CredentialSource::Kind::env) {
      names.push_back(provider.credential.name);
    }
  }
  return names;
}

// `gw claude --version` / `--help` (the whole argument list): the agent only prints and exits,
// sending nothing to any provider, so no sidecar, session or settings overlay is needed. The
// agent replaces the launcher (exec) with the provider credentials removed from its env, as in a
// real launch. Measured: the overlay's --settings alone costs Claude Code ~0.4 s of startup
// (docs/benchmarks.md "Launcher").
bool informational_only(const std::vector<std::string>& args) {
  return args.size() == 1 && (args[0] == "--version" || args[0] == "--help" || args[0] == "-h");
}

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("gw") : p.string();
}

}  // namespace

bool is_launcher_command(const std::string& name) { return find_agent(name) != nullptr; }

int run_launcher(const std::string& agent, const std::vector<std::string>& args) {
  const AgentInfo* info = find_agent(agent);
  if (info == nullptr) return report(agent, Error{Errc::invalid_argument, "unknown agent"});

  launch::LaunchContext ctx;
  ctx.parent_env = launch::env_from_array(environ);
  ctx.user_args = args;
  ctx.suppress_telemetry = launch::telemetry_suppressed(ctx.parent_env);
  std::error_code ec;
  ctx.cwd = std::filesystem::current_path(ec);

  auto exe = launch::find_agent_binary(agent, info->binary, ctx.parent_env);
  if (!exe) return report(agent, exe.error());

  auto paths = resolve_paths();
  if (!paths) return report(agent, paths.error());
  if (informational_only(args)) {
    launch::EnvMap env = ctx.parent_env;
    for (const auto& name : credential_env_names(env, *paths)) env.erase(name);
    launch::strip_provider_env(env);
    std::vector<std::string> argv_strings = {exe->filename().string(), args[0]};
    std::vector<char*> argv = {argv_strings[0].data(), argv_strings[1].data(), nullptr};
    std::vector<std::string> env_strings = launch::env_to_strings(env);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execve(exe->c_str(), argv.data(), envp.data());
    return report(agent, Error{Errc::io, "cannot start " + exe->string() + ": " + std::strerror(errno)});
  }
  // The first start of the sidecar can take a second or more (policy, spool, keychain): show it
  // on a terminal; the line is gone before the agent draws.
  auto sidecar = [&] {
    Progress progress("starting the gw sidecar...");
    return gw::agent::ensure_sidecar(*paths, self_exe());
  }();
  if (!sidecar) {
    return report(agent, Error{sidecar.error().code,
                               "cannot start the gw sidecar: " + sidecar.error().message +
                                   " (log: " + paths->agent_log().string() + ")"});
  }
  if (!sidecar->version.empty() && sidecar->version != GW_VERSION) {
    std::fprintf(stderr,
                 "gw %s: note: the running sidecar is gw %s, this is gw %s; run `gw agent stop` "
                 "to restart it with this version\n",
                 agent.c_str(), sidecar->version.c_str(), GW_VERSION);
  }
  auto session = gw::agent::mint_session(*paths, info->session_id, static_cast<int>(::getpid()),
                                         k_session_ttl_s);
  if (!session) {
    return report(agent, Error{session.error().code,
                               "the gw sidecar did not issue a session: " + session.error().message});
  }
  ctx.port = session->port != 0 ? session->port : sidecar->port;
  ctx.token = session->token;
  for (const auto& name : credential_env_names(ctx.parent_env, *paths)) ctx.parent_env.erase(name);
  ctx.overlay_parent = paths->run_dir / "launch";
  launch::sweep_stale_overlays(ctx.overlay_parent);

  auto plan = info->plan(ctx);
  if (!plan) {
    (void)gw::agent::revoke_session(*paths, session->session_id);
    return report(agent, plan.error());
  }
  auto status = launch::run_child(*exe, plan->args, plan->env);

  auto lost = plan->finish();
  if (!lost.empty()) {
    std::string names;
    for (const auto& n : lost) names += (names.empty() ? "" : ", ") + n;
    std::fprintf(stderr, "gw %s: note: files the agent created could not be kept: %s\n",
                 agent.c_str(), names.c_str());
  }
  if (auto revoked = gw::agent::revoke_session(*paths, session->session_id); !revoked) {
    std::fprintf(stderr, "gw %s: note: could not revoke session %s: %s\n", agent.c_str(),
                 session->session_id.c_str(), revoked.error().message.c_str());
  }
  if (!status) return report(agent, status.error());
  return launch::exit_like_child(*status);
}

void add_launcher_help_commands(CLI::App& app, CommandContext& ctx) {
  // Launchers are dispatched before CLI11 parses; these entries only document them in --help.
  app.add_subcommand("claude", "Run Claude Code through the gw sidecar (gw claude ARGS...)");
  app.add_subcommand("codex", "Run Codex CLI through the gw sidecar (gw codex ARGS...)");
  app.add_subcommand("gemini", "Run Gemini CLI through the gw sidecar (gw gemini ARGS...)");
}

}  // namespace gw::cli
