// gw metrics: the sidecar's Prometheus metrics (text exposition format), from the control API.
#include <cstdio>
#include <iostream>

#include "agent/control_client.hpp"
#include "cli/commands/cli_util.hpp"
#include "cli/commands/commands.hpp"

namespace gw::cli {

namespace {

int run_metrics() {
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  auto r = agent::control_call(*paths, {{"op", "metrics"}});
  if (!r) {
    if (r.error().code == Errc::unavailable)
      return print_error("the sidecar is not running, so there are no metrics (it starts with `gw claude`, "
                         "`gw codex`, `gw gemini` or `gw agent start`)");
    return print_error(r.error().message);
  }
  if (!r->value("ok", false) || !(*r)["text"].is_string())
    return print_error(r->value("error", std::string("the sidecar does not serve metrics; restart it with `gw agent stop`")));
  std::cout << (*r)["text"].get<std::string>();
  return 0;
}

}  // namespace

void add_metrics_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand(
      "metrics", "Print the sidecar's Prometheus metrics (for scraping over HTTP see `gw agent run --metrics-port`)");
  cmd->callback([&ctx] { ctx.exit_code = run_metrics(); });
}

}  // namespace gw::cli
