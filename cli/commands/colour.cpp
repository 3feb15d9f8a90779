#include "cli/commands/colour.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace gw::cli {

bool colour_enabled(int fd) {
  const char* no = std::getenv("NO_COLOR");
  if (no && *no) return false;
  const char* term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(fd) == 1;
}

std::string paint(std::string_view text, Colour colour, bool to_stderr) {
  if (!colour_enabled(to_stderr ? 2 : 1)) return std::string(text);
  const char* code = "";
  switch (colour) {
    case Colour::red: code = "\033[31m"; break;
    case Colour::green: code = "\033[32m"; break;
    case Colour::yellow: code = "\033[33m"; break;
    case Colour::bold: code = "\033[1m"; break;
    case Colour::dim: code = "\033[2m"; break;
  }
  return std::string(code) + std::string(text) + "\033[0m";
}

}  // namespace gw::cli
