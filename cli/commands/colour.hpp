#pragma once
// Colour for human output: only when the stream is a terminal, never when NO_COLOR is set to a
// non-empty value (https://no-color.org) or TERM=dumb.
#include <string>
#include <string_view>

namespace gw::cli {

enum class Colour { red, green, yellow, bold, dim };

// True when text written to fd (1: stdout, 2: stderr) may carry colour codes.
bool colour_enabled(int fd);
// `text` wrapped in the colour's escape codes when colour_enabled(stderr ? 2 : 1), else as is.
std::string paint(std::string_view text, Colour colour, bool to_stderr = false);

}  // namespace gw::cli
