#pragma once
// Admission control: budgets (reserve at admission, reconcile at completion) and rate limits
// (GCRA for requests/min and tokens/min, a concurrency cap) at every level a request belongs to:
// its key, the key's team, the organisation. A request is admitted only if it fits every level,
// and it is charged to every level.
//
// Thread-safe. One instance per process, shared by all requests and kept across policy reloads
// (counters are keyed by scope, budget name, period and window, so a reload keeps spend).
#include <atomic>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/common/clock.hpp"
#include "core/config/policy.hpp"
#include "core/limits/central_budgets.hpp"
#include "core/limits/denial.hpp"
#include "core/limits/spend_store.hpp"

namespace gw::limits {

class Admission;
namespace detail {
struct Account;
struct RateState;
struct LevelState;
// One level's rate-limit hold: the state and what this request took from its token bucket.
struct RateHold {
  RateState* state = nullptr;
  int64_t tokens_per_minute = 0;
  int64_t tokens_charged = 0;
};
}  // namespace detail

struct AdmissionRequest {
  const config::Policy* policy = nullptr;
  const config::VirtualKey* key = nullptr;  // the authenticated key (or policy->anonymous)
  std::string model;                        // as sent by the agent
  int64_t input_tokens = 0;                 // estimate (see estimate.hpp)
  int64_t max_output_tokens = 0;            // reservation cap (see estimate.hpp)
  bool billable = true;  // false for count_tokens: authenticated but neither limited nor billed
};

// What a request holds while in flight. Move-only. settle() exactly once; if it is never called
// the destructor releases the hold without charging (use settle with the usage seen so far for
// a cut stream instead).
class Reservation {
public:
  Reservation() = default;
  Reservation(Reservation&& other) noexcept;
  Reservation& operator=(Reservation&& other) noexcept;
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation();

  // Charges the actual usage (priced with the model's price) to every level and releases the
  // hold. Returns the cost charged in nano-USD.
  int64_t settle(const config::Usage& usage);
  // Releases the hold without charging anything (the request never reached the provider).
  void release();
  bool active() const { return m_owner != nullptr; }
  int64_t reserved_nano() const { return m_reserved_nano; }
  int64_t reserved_tokens() const { return m_reserved_tokens; }

private:
  friend class Admission;
  Admission* m_owner = nullptr;
  std::optional<config::ModelPrice> m_price;
  std::vector<detail::Account*> m_accounts;
  std::vector<detail::RateHold> m_rates;  // every level (in-flight counting, token refunds)
  std::vector<CentralBudgetRef> m_central;  // central budgets holding m_reserved_nano of a lease
  int64_t m_reserved_nano = 0;
  int64_t m_reserved_tokens = 0;
};

// One budget of one level, for `gw status`.
struct BudgetStatus {
  std::string scope;  // "key", "team", "org"
  std::string scope_id;
  config::Budget budget;
  int64_t spent_nano = 0;
  int64_t reserved_nano = 0;
  int64_t resets_at_ms = 0;  // calendar: period end; rolling: when the oldest spend ages out
};

// One level's rate limits and their headroom now, for `gw status`.
struct RateStatus {
  std::string scope;  // "key", "team", "org"
  std::string scope_id;
  config::RateLimits limits;
  int64_t requests_available = 0;  // requests admissible right now (meaningful when limited)
  int64_t tokens_available = 0;    // tokens admissible right now (may be < 0 after an overrun)
  int64_t in_flight = 0;
};

class Admission {
public:
  Admission(const Clock& clock, SpendStore& store);
  ~Admission();

  // Admits the request or says which limit refused it. Never blocks on I/O except the first
  // time an account is touched in a period (one SQLite read).
  std::expected<Reservation, Denial> admit(const AdmissionRequest& request);
  // Budgets that `central` says are enforced centrally are charged to its lease balance instead
  // of being checked against local spend (local spend is still recorded for status). May be set
  // while requests run (a device enrolled later); never unset. `central` must outlive this object.
  void set_central(CentralBudgets* central) { m_central.store(central); }
  // The clock counters are kept by (for callers timestamping what they record).
  const Clock& clock() const { return m_clock; }
  // Spend against every budget that applies to `key` (key, its team, org).
  std::vector<BudgetStatus> budgets_of(const config::Policy& policy, const config::VirtualKey& key);
  // Rate-limit headroom of every level that applies to `key` (rate_status.cpp).
  std::vector<RateStatus> rates_of(const config::Policy& policy, const config::VirtualKey& key);

private:
  friend class Reservation;
  struct Level {
    const char* scope;
    std::string id;
    const std::vector<config::Budget>* budgets;
    const config::RateLimits* limits;
  };
  std::vector<Level> levels_of(const config::Policy& policy, const config::VirtualKey& key) const;
  detail::LevelState* level_state(const Level& level);
  detail::Account* account(detail::LevelState& state, const Level& level, const config::Budget& budget);
  int64_t settle(Reservation& r, const config::Usage* usage);

  const Clock& m_clock;
  SpendStore& m_store;
  std::atomic<CentralBudgets*> m_central{nullptr};
  std::mutex m_mutex;
  // "key:alice", "team:platform", "org:" -> that level's rate state and budget accounts.
  std::unordered_map<std::string, std::unique_ptr<detail::LevelState>> m_levels;
};

}  // namespace gw::limits
