#pragma once
// The sidecar's side of budget leases (ADR 0046, docs/server.md "Shared budgets (leases)").
// Budgets of a policy distributed by the central gateway (a signed bundle) with a calendar window
// are central: Admission charges them here, against the slice of the budget this device leased
// from the central ledger (POST /v1/leases), instead of against local spend.
//
//  - First use of a budget acquires a lease, on the request's thread. After that the request path
//    never waits while the balance covers a request: a background thread renews at a low-water
//    mark (a quarter of the slice) and before expiry, reporting the spend settled meanwhile.
//  - A request the balance does not cover renews on its own thread, asking for what it needs.
//  - Offline (the central unreachable), requests spend what is left of the lease, even past its
//    expiry, then are refused with a message saying why (reason "lease_offline", audited like any
//    refusal). The overspend this allows is bounded by the lease.
//  - stop() reports the final spend and releases every lease. Lease state is kept in a file
//    (leases.json in the state dir), so a restarted sidecar resumes its leases.
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <utility>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/audit/central_config.hpp"
#include "core/common/clock.hpp"
#include "core/common/paths.hpp"
#include "core/common/result.hpp"
#include "core/limits/central_budgets.hpp"

namespace gw::agent {

struct LeaseClientOptions {
  std::string url;      // the central gateway
  std::string token;    // the device's enrollment token; never logged
  std::string ca_file;  // extra CA bundle; empty: the system's
  std::string device_id;
  std::filesystem::path state_file;  // empty: leases are not kept across restarts
  int connect_timeout_s = 3;
  int timeout_s = 10;
  // When set, called with each request body instead of POSTing it to `url` (the central's own
  // provider proxy leases in process): the HTTP status and body of the answer, or nullopt when
  // the ledger cannot be reached.
  std::function<std::optional<std::pair<int, std::string>>(const std::string& body)> transport;
};

class LeaseClient final : public limits::CentralBudgets {
public:
  LeaseClient(LeaseClientOptions opts, const Clock& clock);
  ~LeaseClient() override;  // stop()
  void start();             // the background renewer
  // Reports the final spend and releases every lease (best effort, bounded by the timeouts),
  // saves the state file and joins the renewer. Idempotent.
  void stop();

  bool is_central(const config::Policy& policy, const config::Budget& budget) const override;
  std::expected<void, limits::Denial> reserve(const limits::CentralBudgetRef& ref, int64_t cost) override;
  void settle(const limits::CentralBudgetRef& ref, int64_t reserved, int64_t cost) override;

  // Renews every lease now on the caller's thread (reports spend); the number that succeeded.
  int sync_now();
  // {"url", "leases": [{"scope","budget","lease_id","granted_nano","spent_nano","reported_nano",
  //  "reserved_nano","balance_nano","expires_at_ms","window_end_ms","remaining_nano","state","error"}]}
  nlohmann::json status() const;

private:
  struct Lease;
  Lease& lease_for(const limits::CentralBudgetRef& ref);
  // One acquire/renew/release for `l`, on the caller's thread; `lk` (holding m_mu) is released
  // during the HTTP call. Updates `l` from the answer. Returns false when the call failed.
  bool call(std::unique_lock<std::mutex>& lk, Lease& l, const char* op, int64_t want);
  limits::Denial denial(const Lease& l, int64_t cost) const;
  bool due(const Lease& l, int64_t now) const;
  void loop();
  void save_locked();
  void load();

  LeaseClientOptions m_opts;
  const Clock& m_clock;
  mutable std::mutex m_mu;
  std::condition_variable m_cv;   // renewer wake-ups and waits for a renewal in flight
  std::map<std::string, std::unique_ptr<Lease>> m_leases;  // "scope|budget"
  bool m_stop = false;
  bool m_stopped = false;
  bool m_dirty = false;
  std::thread m_thread;
};

// For the sidecar: a lease client for the central gateway in <config dir>/central.toml, started;
// nullptr (no error) when there is none. device_id names this device to the central.
// `login` supplies the `gw login` key (central_config.hpp decides which credential is used).
Result<std::unique_ptr<LeaseClient>> start_lease_client(const Paths& paths, const Clock& clock,
                                                        const std::string& device_id,
                                                        const audit::LoginTokenReader& login = {});

}  // namespace gw::agent
