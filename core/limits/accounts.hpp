#pragma once
// Internal to Admission: the in-memory state of one budget of one level, and of one level's
// rate limits. All access happens under Admission's mutex.
#include <cstdint>
#include <map>
#include <memory>
#include <vector>
#include <string>

#include "core/config/policy.hpp"
#include "core/limits/spend_store.hpp"

namespace gw::limits::detail {

struct Account {
  std::string name;       // the budget's name
  std::string store_key;  // "key:alice|daily|day|calendar"
  config::Period period = config::Period::day;
  config::Window window = config::Window::calendar;
  bool loaded = false;
  int64_t window_start = 0;              // calendar: start of the period `spent` belongs to
  int64_t spent = 0;                     // calendar: settled spend in that period
  std::map<int64_t, int64_t> buckets;    // rolling: bucket start -> settled spend
  int64_t reserved = 0;                  // held by requests in flight (any period)

  // Brings the account to the period containing `now` (reading the store on first use and at
  // calendar boundaries) and returns the settled spend that counts now.
  int64_t spent_now(int64_t now, SpendStore& store);
  // The bucket a charge made at `now` is recorded under.
  int64_t bucket_for(int64_t now) const;
  // When the current spend starts to fall (calendar: period end; rolling: oldest bucket expiry).
  int64_t resets_at(int64_t now) const;
};

// GCRA state in nanoseconds of "theoretical arrival time"; a full minute is the burst capacity.
struct RateState {
  int64_t request_tat_ns = 0;
  int64_t token_tat_ns = 0;
  int64_t in_flight = 0;
};

// Everything kept for one level (a key, a team, the org). Accounts are found by a linear scan:
// a level has a handful of budgets.
struct LevelState {
  RateState rate;
  std::vector<std::unique_ptr<Account>> accounts;
};

inline constexpr int64_t k_minute_ns = 60'000'000'000;

// GCRA check for `cost` units at `per_minute`: returns 0 when it fits (and the new TAT in
// `new_tat`), else the nanoseconds to wait.
int64_t gcra_check(int64_t tat_ns, int64_t now_ns, int64_t per_minute, int64_t cost, int64_t& new_tat);

}  // namespace gw::limits::detail
