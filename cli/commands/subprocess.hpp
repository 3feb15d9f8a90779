#pragma once
// Runs a helper program (systemctl, launchctl, an agent's --version) and captures its output.
#include <optional>
#include <string>
#include <vector>

namespace gw::cli {

struct ProgramResult {
  int exit_code = -1;  // 127: not found or could not start; 124: killed after the timeout
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv (argv[0] looked up in PATH) with stdin from /dev/null, waiting at most timeout_ms.
ProgramResult run_program(const std::vector<std::string>& argv, int timeout_ms = 10000);
// The absolute path of `name` in PATH, nullopt when it is not there.
std::optional<std::string> find_in_path(const std::string& name);

}  // namespace gw::cli
