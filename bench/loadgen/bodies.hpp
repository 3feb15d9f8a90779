#pragma once
// Request bodies for the benchmarks, generated so no captured user data is needed.
#include <cstddef>
#include <string>

namespace gw::bench {

// A minimal Anthropic Messages request ("say pong"), about 120 bytes.
std::string small_messages_body(bool stream);

// An Anthropic Messages request shaped like what Claude Code sends mid-session (see
// shared/wire/AGENTS-WIRE.md): three system blocks (billing header, identity, long instructions,
// the last two with cache_control), 24 tools with JSON schemas (~64 KB), metadata, and a
// conversation whose last turn is a Read tool result of source code, padded to about
// `target_bytes` (never smaller than the fixed parts, ~75 KB).
std::string claude_code_body(size_t target_bytes, bool stream);

}  // namespace gw::bench
