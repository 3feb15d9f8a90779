#pragma once
namespace gw::cli {
// Parses argv, runs the chosen subcommand and returns the process exit code.
int run(int argc, char** argv);
}  // namespace gw::cli
