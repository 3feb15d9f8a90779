#pragma once
// Small helpers shared by the subcommands.
#include <string>

#include "core/common/paths.hpp"

namespace gw::cli {

// Prints "gw: <message>" to stderr; returns exit code 1.
int print_error(const std::string& message);
// Absolute path of the running gw binary.
std::string self_exe();
int env_int(const char* name, int fallback);
std::string env_str(const char* name);
// True when stdout is a terminal and NO_COLOR is unset.
bool use_color();

}  // namespace gw::cli
