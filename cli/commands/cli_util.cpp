#include "cli/commands/cli_util.hpp"
#include "cli/commands/colour.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace gw::cli {

int print_error(const std::string& message) {
  std::fprintf(stderr, "gw: %s\n", message.c_str());
  return 1;
}

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("gw") : p.string();
}

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  int out = fallback;
  std::string_view s(v);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() ? out : fallback;
}

std::string env_str(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool use_color() { return colour_enabled(1); }

}  // namespace gw::cli
