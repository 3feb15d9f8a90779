// gw agent run|start|stop|status|reload: the sidecar's lifecycle.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "agent/control_client.hpp"
#include "agent/sidecar.hpp"
#include "cli/commands/commands.hpp"
#include "cli/commands/cli_util.hpp"
#include "core/common/log.hpp"

namespace gw::cli {

namespace {

struct AgentArgs {
  std::string host = "127.0.0.1";
  int port = env_int("GW_AGENT_PORT", agent::k_default_port);
  int idle_exit_s = env_int("GW_AGENT_IDLE_EXIT", 1800);
  std::string policy;
  std::string ca_file = env_str("GW_UPSTREAM_CA_FILE");
  int ready_fd = -1;
  int metrics_port = env_int("GW_METRICS_PORT", -1);
  size_t max_body = static_cast<size_t>(env_int("GW_AGENT_MAX_BODY", 32 * 1024 * 1024));
  bool no_request_log = false;
  std::string log_level = "info";
};

int cmd_run(const AgentArgs& a) {
  auto paths = resolve_paths();
  auto report = [&](const std::string& msg) {
    if (a.ready_fd >= 0) {
      std::string line = "error: " + msg + "\n";
      (void)::write(a.ready_fd, line.data(), line.size());
    }
    return print_error(msg);
  };
  if (!paths) return report(paths.error().message);
  if (a.host != "127.0.0.1" && a.host != "::1" && a.host != "localhost")
    return report("the sidecar listens on loopback only; --host must be 127.0.0.1, ::1 or localhost");
  log::configure(a.log_level == "debug" ? log::Level::debug : a.log_level == "warn" ? log::Level::warn : log::Level::info);
  agent::SidecarOptions o;
  o.paths = *paths;
  o.host = a.host;
  o.port = a.port;
  o.idle_exit_s = a.idle_exit_s;
  o.policy_file = a.policy;
  o.ca_file = a.ca_file;
  o.metrics_port = a.metrics_port;
  o.ready_fd = a.ready_fd;
  o.max_body_bytes = a.max_body;
  o.log_requests = !a.no_request_log;
  auto r = agent::run_sidecar(o);
  if (!r) return report(r.error().message);
  return 0;
}

int cmd_simple(const std::string& op) {
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  auto r = agent::control_call(*paths, {{"op", op}});
  if (!r) {
    if (op == "stop" && r.error().code == Errc::unavailable) {
      std::puts("gw sidecar is not running");
      return 0;
    }
    return print_error(r.error().message);
  }
  if (!r->value("ok", false)) return print_error(r->value("error", op + " failed"));
  if (op == "status") std::cout << r->dump(2) << "\n";
  else if (op == "stop") std::puts("gw sidecar stopped");
  else if (op == "reload") std::printf("policy reloaded (version %s)\n", r->value("version", "").c_str());
  return 0;
}

}  // namespace

void add_agent_command(CLI::App& app, CommandContext& ctx) {
  auto* agent = app.add_subcommand("agent", "Run or control the local sidecar that the agents talk to");
  agent->require_subcommand(1);
  auto args = std::make_shared<AgentArgs>();

  auto* run = agent->add_subcommand("run", "Run the sidecar in the foreground (for a service manager)");
  run->add_option("--host", args->host, "Loopback address to listen on")->capture_default_str();
  run->add_option("--port", args->port, "Port for the agents (0: any free port; env GW_AGENT_PORT)")->capture_default_str();
  run->add_option("--idle-exit", args->idle_exit_s, "Exit after this many idle seconds with no live session (0: never; env GW_AGENT_IDLE_EXIT)")
      ->capture_default_str();
  run->add_option("--policy", args->policy, "Policy file (default: $GW_POLICY, else <config>/policy.toml, else built-in)");
  run->add_option("--metrics-port", args->metrics_port,
                  "Also serve Prometheus GET /metrics over HTTP on this loopback port (0: any free port; "
                  "default off; env GW_METRICS_PORT)");
  run->add_option("--ca-file", args->ca_file, "Extra CA bundle (PEM) trusted for upstream TLS (env GW_UPSTREAM_CA_FILE)");
  run->add_option("--ready-fd", args->ready_fd, "Write 'ready <port>' to this fd once serving (used by the launcher)");
  run->add_option("--max-body-bytes", args->max_body, "Largest request body accepted (env GW_AGENT_MAX_BODY)")
      ->capture_default_str();
  run->add_flag("--no-request-log", args->no_request_log, "Do not log one line per request");
  run->add_option("--log-level", args->log_level, "debug|info|warn")->capture_default_str();
  run->callback([&ctx, args] { ctx.exit_code = cmd_run(*args); });

  agent->add_subcommand("start", "Start the sidecar in the background if it is not running")->callback([&ctx] {
    auto paths = resolve_paths();
    if (!paths) {
      ctx.exit_code = print_error(paths.error().message);
      return;
    }
    auto info = agent::ensure_sidecar(*paths, self_exe());
    if (!info) {
      ctx.exit_code = print_error(info.error().message);
      return;
    }
    std::printf("gw sidecar running on 127.0.0.1:%d (pid %d)\n", info->port, info->pid);
  });
  agent->add_subcommand("stop", "Stop the running sidecar")->callback([&ctx] { ctx.exit_code = cmd_simple("stop"); });
  agent->add_subcommand("status", "Print the sidecar's raw status as JSON")->callback([&ctx] { ctx.exit_code = cmd_simple("status"); });
  agent->add_subcommand("reload", "Reload the policy file")->callback([&ctx] { ctx.exit_code = cmd_simple("reload"); });
  add_service_commands(*agent, ctx);
}

}  // namespace gw::cli
