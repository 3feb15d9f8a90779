#include "cli/commands/commands.hpp"
namespace gw::cli {
void add_agent_command(CLI::App& app, CommandContext& ctx) {}
void add_status_command(CLI::App& app, CommandContext& ctx) {}
}  // namespace gw::cli
