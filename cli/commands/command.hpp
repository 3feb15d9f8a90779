#pragma once
// A subcommand: it adds itself to the CLI11 app in add(), and the callback it registers runs
// the command and stores the process exit code in `exit_code`.
#include <CLI/CLI.hpp>

namespace gw::cli {

struct CommandContext {
  int exit_code = 0;
  // Arguments after the agent name, verbatim, for launcher commands (gw claude ARGS...).
  std::vector<std::string> passthrough_args;
};

}  // namespace gw::cli
