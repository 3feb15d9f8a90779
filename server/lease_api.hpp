#pragma once
// POST /v1/leases: budget leases for sidecars (ADR 0046, docs/server.md "Shared budgets").
//
// Auth: an enrollment token or a central key (Bearer; device_auth.hpp), like every device route. Request:
//   {"v":1, "op":"acquire"|"renew"|"release", "request_id":"<unique; reused on retry>",
//    "device_id":"dev-...", "scope":"key:alice"|"team:platform"|"org", "budget":"daily",
//    "lease_id":"...", "window_start_ms":N,   (renew/release: the lease and its window)
//    "spent_nano":N,                          (renew/release: total spent on the lease so far)
//    "want_nano":N}                           (at least this much more is needed now; 0: top-up)
// Answer 200: the lease (storage::LeaseAnswer as JSON) plus "scope", "budget", "slice_nano",
// "ttl_ms". 409 {"error":{"code":"budget_exhausted","message"}, "lease":{...}} when want_nano
// cannot be granted (spend reported is recorded; nothing granted). 400 malformed, 401 token,
// 404 unknown budget or no policy published, 422 a budget that is not leased (rolling window),
// 503 store failure (retry with the same request_id).
//
// The budget's limit and period come from the policy of the bundle the central serves.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/clock.hpp"
#include "core/config/policy.hpp"
#include "core/storage/lease_ledger.hpp"
#include "server/device_auth.hpp"
#include "server/server_config.hpp"

namespace httplib {
class Server;
}

namespace gw::server {

struct LeaseReply {
  int status = 200;
  nlohmann::json body;
};

class LeaseApi {
public:
  using PolicySource = std::function<std::shared_ptr<const config::Policy>()>;
  // Everything passed must outlive this object.
  LeaseApi(const ServerConfig& config, storage::LeaseLedger& ledger, const Clock& clock, PolicySource policy);
  // Requests authenticate through `auth` (device_auth.hpp; must outlive the server).
  void add_routes(httplib::Server& server, const DeviceAuth& auth);
  // One request whose bearer token was accepted (token_id: the enrollment token's id). For the
  // route and for tests and benchmarks that skip HTTP.
  LeaseReply handle(const std::string& body, const std::string& token_id);

private:
  const ServerConfig& m_config;
  storage::LeaseLedger& m_ledger;
  const Clock& m_clock;
  PolicySource m_policy;
  std::atomic<int64_t> m_last_forget_ms{0};
};

// The budget named (scope "key:ID" / "team:ID" / "org", budget name) in `policy`, or nullptr.
const config::Budget* find_leased_budget(const config::Policy& policy, std::string_view scope, std::string_view name);

}  // namespace gw::server
