#pragma once
// Runs the built `gw` binary as a user would, with an explicit environment, and returns what it
// printed and its exit status. For integration tests of CLI subcommands.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace gw::test {

struct CliRun {
  int code = -1;  // exit status (128 + signal when killed); -1 when it did not finish in time
  std::string out, err;
};

// `gw ARGS...` in `env` (e.g. Sidecar::env() or minimal_env(home) + GW dirs), waiting at most
// `timeout` for it to exit.
CliRun run_gw(const Env& env, const std::vector<std::string>& args, std::optional<std::string> stdin_data = std::nullopt,
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace gw::test
