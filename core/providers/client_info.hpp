#pragma once
// Which agent sent a request, and its own session id, from the headers the real clients send
// (see AGENTS-WIRE.md): Claude Code "claude-cli/..." or "claude-code/..." + X-Claude-Code-Session-Id;
// Codex "originator: codex_*" / "codex_exec/..." + session-id; Gemini CLI "GeminiCLI...".
#include <string>

#include "core/http/message.hpp"

namespace gw::providers {

struct ClientInfo {
  std::string agent;       // claude-code | codex | gemini-cli | other
  std::string session_id;  // the agent's own session id, empty when it sends none
};

ClientInfo detect_client(const http::Headers& headers);

}  // namespace gw::providers
