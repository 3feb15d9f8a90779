#include "core/providers/client_info.hpp"

namespace gw::providers {

ClientInfo detect_client(const http::Headers& h) {
  ClientInfo c{"other", ""};
  std::string_view ua = h.get("user-agent").value_or("");
  std::string_view originator = h.get("originator").value_or("");
  if (ua.starts_with("claude-cli/") || ua.starts_with("claude-code/")) {
    c.agent = "claude-code";
    c.session_id = std::string(h.get("x-claude-code-session-id").value_or(""));
  } else if (originator.starts_with("codex") || ua.starts_with("codex")) {
    c.agent = "codex";
    c.session_id = std::string(h.get("session-id").value_or(""));
  } else if (ua.starts_with("GeminiCLI")) {
    c.agent = "gemini-cli";
  }
  return c;
}

}  // namespace gw::providers
