#pragma once
// The hook through which Admission charges budgets the central gateway enforces (ADR 0046):
// such a budget is shared by every device (a key on several machines, a team of developers, the
// organisation), and this device spends a slice leased from the central ledger. Implemented by
// the sidecar's lease client (agent/lease_client.hpp); Admission works without one.
#include <cstdint>
#include <expected>
#include <string>

#include "core/config/policy.hpp"
#include "core/limits/denial.hpp"

namespace gw::limits {

// One central budget as Admission names it.
struct CentralBudgetRef {
  std::string scope;  // "key:alice", "team:platform", "org"
  std::string name;   // the budget's name in policy
  config::Budget budget;
};

class CentralBudgets {
public:
  virtual ~CentralBudgets() = default;
  // Whether `budget` (of any level) is enforced centrally under `policy`. Cheap; never blocks.
  virtual bool is_central(const config::Policy& policy, const config::Budget& budget) const = 0;
  // Holds `cost` nano-USD of the local lease balance. When the balance does not cover it, first
  // acquires or renews the lease at the central gateway (blocking this request only). A denial
  // says why: the budget is exhausted centrally, or the central cannot be reached and the lease
  // left does not cover the request. Called without Admission's lock held.
  virtual std::expected<void, Denial> reserve(const CentralBudgetRef& ref, int64_t cost) = 0;
  // Gives back a hold of `reserved` and charges `cost` (0 when the request was released) to the
  // lease. Never blocks on the network (reports go out in the background).
  virtual void settle(const CentralBudgetRef& ref, int64_t reserved, int64_t cost) = 0;
};

}  // namespace gw::limits
