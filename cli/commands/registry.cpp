// The list of subcommands, written out in one place.
#include "cli/commands/registry.hpp"

#include <cstring>
#include <string>
#include <vector>

#include "cli/commands/command.hpp"
#include "cli/commands/admin_client.hpp"
#include "cli/commands/commands.hpp"

namespace gw::cli {

int run(int argc, char** argv) {
  CLI::App app{"gw: a governance gateway for AI coding agents (Claude Code, Codex CLI, Gemini CLI)", "gw"};
  app.set_version_flag("-V,--version", std::string("gw ") + GW_VERSION);
  app.require_subcommand(1);
  CommandContext ctx;

  // Launcher commands pass every argument after the agent name through verbatim, so they are
  // dispatched before CLI11 sees (and might interpret) the agent's flags.
  if (argc >= 2) {
    std::string first = argv[1];
    if (is_launcher_command(first)) {
      std::vector<std::string> args(argv + 2, argv + argc);
      return run_launcher(first, args);
    }
  }

  add_agent_command(app, ctx);
  add_status_command(app, ctx);
  add_metrics_command(app, ctx);
  add_policy_command(app, ctx);
  add_trust_command(app, ctx);
  add_usage_command(app, ctx);
  add_audit_command(app, ctx);
  add_scan_command(app, ctx);
  add_serve_command(app, ctx);
  add_admin_command(app, ctx);
  add_keys_command(app, ctx);
  add_login_commands(app, ctx);
  add_completion_command(app, ctx);
  add_doctor_command(app, ctx);
  add_launcher_help_commands(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return ctx.exit_code;
}

}  // namespace gw::cli
