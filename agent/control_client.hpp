#pragma once
// Client side of the sidecar's local control API: a unix socket (0600, in the private run dir)
// speaking one JSON object per line: the client writes a request line, the sidecar answers with
// one line and closes. Requests: {"op":"status"}, {"op":"mint",...}, {"op":"revoke",...},
// {"op":"reload"}, {"op":"stop"}. Every answer has "ok": true|false and, when false, "error".
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/common/paths.hpp"
#include "core/common/result.hpp"

namespace gw::agent {

// Sends one request and returns the answer. Errc::unavailable when no sidecar listens.
Result<nlohmann::json> control_call(const Paths& paths, const nlohmann::json& request,
                                    int timeout_ms = 5000);

struct SidecarInfo {
  int port = 0;  // the loopback port the agents must use
  int pid = 0;
  std::string version;
};

// Returns the running sidecar, or starts one as a detached process (`<gw_exe> agent run
// --detach`, inheriting this process's environment so it can read provider keys) and waits
// until its control socket answers (bounded by timeout_ms; the wait polls the socket, which is
// the readiness signal). A sidecar of another version is left running and reported in version.
Result<SidecarInfo> ensure_sidecar(const Paths& paths, const std::string& gw_exe,
                                   int timeout_ms = 15000);

struct Session {
  std::string token;       // secret: give only to the agent process
  std::string session_id;  // public id, for logs and revocation
  int64_t expires_ms = 0;
  int port = 0;
};

// Mints a session token for one launch of `agent` (claude-code | codex | gemini-cli). The
// session stays valid while `owner_pid` lives and until ttl_s passes, whichever comes first.
Result<Session> mint_session(const Paths& paths, std::string_view agent, int owner_pid,
                             int64_t ttl_s);
// Revokes a session by id; later requests with its token are refused.
Status revoke_session(const Paths& paths, std::string_view session_id);

}  // namespace gw::agent
