// gw: one binary for the launcher (gw claude|codex|gemini), the sidecar (gw agent) and the
// central gateway (gw serve). Exceptions stop here.
#include <cstdio>
#include <exception>

#include "cli/commands/registry.hpp"

int main(int argc, char** argv) {
  try {
    return gw::cli::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gw: internal error: %s\n", e.what());
    return 70;
  }
}
