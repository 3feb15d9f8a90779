#include <cstdio>

#include "cli/commands/commands.hpp"

namespace gw::cli {
bool is_launcher_command(const std::string& name) {
  return name == "claude" || name == "codex" || name == "gemini";
}
int run_launcher(const std::string& agent, const std::vector<std::string>& args) {
  std::fprintf(stderr, "gw %s: launcher under construction\n", agent.c_str());
  return 2;
}
void add_launcher_help_commands(CLI::App& app, CommandContext& ctx) {}
}  // namespace gw::cli
