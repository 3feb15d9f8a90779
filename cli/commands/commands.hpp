#pragma once
// Each subcommand lives in its own <name>_cmd.cpp and exposes one add_*_command function.
#include <string>
#include <vector>

#include "cli/commands/command.hpp"

namespace gw::cli {

void add_agent_command(CLI::App& app, CommandContext& ctx);    // gw agent [run|stop|status]
void add_status_command(CLI::App& app, CommandContext& ctx);   // gw status [--json] [--key ID]...
void add_metrics_command(CLI::App& app, CommandContext& ctx);  // gw metrics
void add_policy_command(CLI::App& app, CommandContext& ctx);   // gw policy check|hash-key
// gw policy keygen|sign|verify|install|show (added under the `policy` subcommand)
void add_policy_signing_commands(CLI::App& policy, CommandContext& ctx);
void add_trust_command(CLI::App& app, CommandContext& ctx);    // gw trust add|list|rm|reset|delegate|revoke
void add_usage_command(CLI::App& app, CommandContext& ctx);    // gw usage [--by model|day|agent|key]
void add_audit_command(CLI::App& app, CommandContext& ctx);    // gw audit tail|show|verify|export
void add_scan_command(CLI::App& app, CommandContext& ctx);     // gw scan [--rules F]... [PATH|-]...
void add_serve_command(CLI::App& app, CommandContext& ctx);    // gw serve --config server.toml
void add_keys_command(CLI::App& app, CommandContext& ctx);     // gw keys set|list|rm
void add_login_commands(CLI::App& app, CommandContext& ctx);   // gw login --server URL, gw logout
void add_completion_command(CLI::App& app, CommandContext& ctx);  // gw completion SHELL, gw help-markdown
// gw agent install-service|uninstall-service (added under `gw agent` by add_agent_command).
void add_service_commands(CLI::App& agent, CommandContext& ctx);
void add_doctor_command(CLI::App& app, CommandContext& ctx);   // gw doctor [--json]
void add_launcher_help_commands(CLI::App& app, CommandContext& ctx);  // help entries for claude/codex/gemini

// Launchers: gw claude|codex|gemini ARGS... (arguments passed through verbatim).
bool is_launcher_command(const std::string& name);
int run_launcher(const std::string& agent, const std::vector<std::string>& args);

}  // namespace gw::cli
