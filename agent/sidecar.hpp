#pragma once
// The sidecar process (`gw agent run`): loads policy, serves the agents on a loopback port and
// the control API on a unix socket, and exits when stopped or after an idle period with no live
// launcher session. One per user state dir (an flock on run/agent.lock enforces it).
#include <filesystem>
#include <string>

#include "core/common/paths.hpp"
#include "core/common/result.hpp"

namespace gw::agent {

inline constexpr int k_default_port = 9417;

struct SidecarOptions {
  Paths paths;
  std::string host = "127.0.0.1";
  int port = k_default_port;    // 0: any free port (tests)
  int idle_exit_s = 1800;       // 0: never exit on idle
  size_t max_body_bytes = 32 * 1024 * 1024;
  bool log_requests = true;
  std::filesystem::path policy_file;  // empty: $GW_POLICY, else <config>/policy.toml if present, else built-in
  int metrics_port = -1;              // HTTP GET /metrics on host:port; -1: off, 0: any free port
  std::string ca_file;                // extra CA bundle for upstream TLS (tests, corporate proxies)
  // When >= 0, "ready <port>\n" is written to this fd once the sidecar serves (then closed); the
  // caller writes the error there when run_sidecar fails. Lets the launcher wait without polling.
  int ready_fd = -1;
};

// Runs until stopped (control "stop", SIGTERM, SIGINT) or idle. Returns an error when it cannot
// start (bad policy, port in use, another sidecar running).
Status run_sidecar(const SidecarOptions& opts);

// The policy file named by --policy or $GW_POLICY (a policy file or a signed bundle); empty when
// neither is set, and the policy in force is found as policy_loader.hpp describes.
std::filesystem::path explicit_policy_file(const SidecarOptions& opts);

}  // namespace gw::agent
