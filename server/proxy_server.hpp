#pragma once
// The provider proxy of `gw serve` (docs/server.md "Provider proxy", ADR 0052): the sidecar's
// provider routes (/anthropic/..., /openai/..., /gemini/..., and the bare paths the registry
// recognises) served on their own port of gw's HTTP server, with the central's TLS certificate,
// through the same pipeline the sidecar builds (core/stages/stage_list.cpp) and the same relay
// (core/relay: SSE relayed byte for byte as it arrives, the response guard when policy asks).
//
// What differs from the sidecar is the services behind the stages: no launcher sessions (every
// caller presents a virtual key), provider keys held here (env or file credentials of the policy),
// budgets in the central's own spend ledger (<storage>.spend.db), audit written to a spool of its
// own and shipped in process into the central store (server/proxy_audit.hpp). The policy is the
// published signed bundle; until one is published, [proxy] policy; each publish swaps it in and
// requests in flight finish on the one they started with.
//
//   GET /v1/health   {"status":"ok","policy":VERSION} (for load balancers; no authentication)
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/config/policy.hpp"
#include "core/storage/audit_store.hpp"
#include "core/storage/lease_ledger.hpp"
#include "server/server_config.hpp"

namespace gw::server {

struct ProxyCounters {
  uint64_t requests = 0;
  uint64_t denied = 0;
};

class ProxyServer {
public:
  // config, store and clock must outlive the proxy.
  ProxyServer(const ServerConfig& config, storage::AuditStore& store, const Clock& clock);
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  // Budgets of a signed bundle with a calendar window are then charged to the central budget
  // ledger (shared with every sidecar's leases, ADR 0046), through a lease of the proxy's own
  // (device id [proxy] device_id) taken in process; others stay in the proxy's spend ledger.
  // Call before open(). `policy` gives the published bundle's policy (what the ledger follows).
  void use_lease_ledger(storage::LeaseLedger* ledger, std::function<std::shared_ptr<const config::Policy>()> policy);
  // Opens the spend ledger and installs the first policy (opening the audit spool and its
  // shipper when that policy audits). Errors say which file or setting to fix.
  Status open(std::shared_ptr<const config::Policy> policy, std::string source);
  // Swaps in a new policy (a publish). Errors leave the previous policy in force.
  Status install(std::shared_ptr<const config::Policy> policy, std::string source);
  // Binds [proxy] listen (with TLS when server.toml has [tls]) and serves; returns the port.
  Result<int> start();
  // Stops serving (streams in progress are cut), then stops the shipper after it delivered what
  // the spool holds (bounded wait). Idempotent.
  void stop();
  int port() const;
  std::string policy_version() const;
  ProxyCounters counters() const;

private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace gw::server

namespace gw::server {

class PolicyDistribution;

// Builds, opens and starts the proxy of `config` ([proxy] must be on). Its first policy is the
// published bundle when distribution is on and one was published (verified now), else
// [proxy] policy; each later publish is swapped in. Errors say what to configure.
// `ledger` (may be null): the central budget ledger, see use_lease_ledger.
Result<std::unique_ptr<ProxyServer>> start_proxy(const ServerConfig& config, storage::AuditStore& store,
                                                 const Clock& clock, PolicyDistribution* distribution,
                                                 storage::LeaseLedger* ledger = nullptr);

}  // namespace gw::server
