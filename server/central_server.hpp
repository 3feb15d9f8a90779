#pragma once
// The central gateway's HTTP(S) front: health and audit ingest today; policy bundles, leases,
// the admin API and the provider proxy later attach their routes here.
//
//   GET  /v1/health           {"status":"ok","version":...}, no authentication
//   POST /v1/audit/batches    a device's spool records (see docs/server.md for the protocol)
//   GET/POST /v1/policy/bundle  signed policy distribution (server/policy_distribution.hpp)
//   POST /v1/leases           budget leases for sidecars (server/lease_api.hpp)
//   GET  /v1/keys/self        the caller's central key record (server/key_self_api.hpp)
// Every device route authenticates through one DeviceAuth (server/device_auth.hpp): an
// enrollment token or an active central key.
//   /v1/admin/...             the Admin API (server/admin_api.hpp, docs/admin-api.md)
#include <atomic>
#include <memory>
#include <thread>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/storage/audit_store.hpp"
#include "core/storage/lease_ledger.hpp"
#include "server/device_auth.hpp"
#include "core/storage/stores.hpp"
#include "server/server_config.hpp"

namespace httplib {
class Server;
}

namespace gw::server {

class PolicyDistribution;
class LeaseApi;
class AdminApi;

// The signature header of an ingest request: "ed25519=<128 hex>", the device key's signature
// over the exact body bytes.
inline constexpr const char* k_signature_header = "X-Gw-Signature";

class CentralServer {
public:
  // config, store and clock must outlive the server.
  CentralServer(const ServerConfig& config, storage::AuditStore& store, const Clock& clock);
  // Serves every store of `stores` (audit, leases, and the Admin API over the key directory);
  // stores must outlive the server.
  CentralServer(const ServerConfig& config, storage::Stores& stores, const Clock& clock);
  ~CentralServer();
  // Binds config.host:config.port (0: any free port) and serves on a background thread; returns
  // the bound port. Errors: TLS files unusable, address in use.
  Result<int> start();
  // Stops accepting, lets requests in flight finish, joins. Idempotent.
  void stop();
  int port() const { return m_port; }
  // Serves POST /v1/leases over `ledger` (call before start; the ledger must outlive the server).
  void set_lease_ledger(storage::LeaseLedger* ledger) { m_ledger = ledger; }
  // Lets devices authenticate with central keys from a key directory (call before start):
  // `lookup` finds a key by its secret's hash, `revision` reads the directory's revision.
  void set_key_lookup(CentralKeyLookup lookup, std::function<Result<uint64_t>()> revision) {
    m_key_lookup = std::move(lookup);
    m_key_revision = std::move(revision);
  }
  uint64_t batches() const { return m_batches.load(); }
  // Signed policy distribution (after start()); the provider proxy follows its publishes.
  PolicyDistribution* policy_distribution() { return m_policy.get(); }

private:
  void add_routes();
  const ServerConfig& m_config;
  storage::AuditStore& m_store;
  const Clock& m_clock;
  std::unique_ptr<httplib::Server> m_server;
  std::unique_ptr<PolicyDistribution> m_policy;
  storage::LeaseLedger* m_ledger = nullptr;
  storage::Stores* m_stores = nullptr;  // set by the Stores constructor: enables the Admin API
  std::unique_ptr<AdminApi> m_admin;
  std::unique_ptr<LeaseApi> m_leases;
  CentralKeyLookup m_key_lookup;
  std::function<Result<uint64_t>()> m_key_revision;
  std::unique_ptr<DeviceAuth> m_auth;
  std::thread m_thread;
  int m_port = 0;
  std::atomic<uint64_t> m_batches{0};
};

// `gw serve`: opens the store, serves until SIGTERM/SIGINT, then shuts down gracefully. When
// ready_fd >= 0, "ready <port>\n" is written to it once serving (then closed).
Status run_serve(const ServerConfig& config, int ready_fd);

}  // namespace gw::server
