#pragma once
// The central budget ledger (ADR 0046): for each budget window, identified by
// (scope "key:ID" / "team:ID" / "org", budget name, window start), the limit, the settled spend
// and the leases devices hold on it. Each sidecar spends a leased slice locally and renews it;
// the ledger is authoritative.
//
// The store knows rows, not lease rules: the rules (apply_lease_op in lease_rules.hpp) run inside
// one LeaseTxn, so whichever adapter serializes a budget row's transactions (SQLite: one writer;
// PostgreSQL: SELECT ... FOR UPDATE on the budget row) keeps grants within the limit.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.hpp"

namespace gw::storage {

// Which budget window a row is.
struct BudgetRef {
  std::string scope;   // "key:alice", "team:platform", "org"
  std::string budget;  // the budget's name in policy ("daily")
  int64_t window_start_ms = 0;
  bool operator==(const BudgetRef&) const = default;
};

struct BudgetRow {
  BudgetRef ref;
  int64_t window_end_ms = 0;
  int64_t limit_nano = 0;    // the limit in force at the last operation (policy may change it)
  int64_t settled_nano = 0;  // spend reported by devices on every lease of this window
};

struct LeaseRow {
  std::string lease_id;
  std::string device_id;
  int64_t granted_nano = 0;  // total granted over the lease's life
  int64_t spent_nano = 0;    // total spend the device has reported on it (only goes up)
  int64_t expires_at_ms = 0;
  bool open = true;          // false once released, or found expired (remainder given back)
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  // What still counts against the budget at `now`: the unspent grant of an open, unexpired lease.
  int64_t outstanding(int64_t now_ms) const {
    return open && expires_at_ms > now_ms && granted_nano > spent_nano ? granted_nano - spent_nano : 0;
  }
};

// One budget window's rows inside one write transaction. Only valid inside LeaseLedger::transact.
class LeaseTxn {
public:
  virtual ~LeaseTxn() = default;
  // The budget row (locked for the transaction), or nullopt before the window's first lease.
  virtual Result<std::optional<BudgetRow>> budget() = 0;
  virtual Status put_budget(const BudgetRow& row) = 0;
  // Every open lease of this window.
  virtual Result<std::vector<LeaseRow>> open_leases() = 0;
  // A lease of this window by id (open or not), or nullopt.
  virtual Result<std::optional<LeaseRow>> lease(const std::string& lease_id) = 0;
  virtual Status put_lease(const LeaseRow& row) = 0;  // insert or replace by lease_id
  // The answer given to an earlier request with this id (JSON text), or nullopt. Request ids are
  // global, not per budget.
  virtual Result<std::optional<std::string>> answered(const std::string& request_id) = 0;
  virtual Status remember(const std::string& request_id, const std::string& answer, int64_t now_ms) = 0;
};

// A budget window with its open leases, for status and tests.
struct BudgetView {
  BudgetRow row;
  std::vector<LeaseRow> leases;  // open ones
};

class LeaseLedger {
public:
  virtual ~LeaseLedger() = default;
  // Runs fn in one write transaction over `ref`'s rows: committed when fn succeeds, rolled back
  // when it fails (its error is returned). Transactions on one budget window never interleave.
  virtual Status transact(const BudgetRef& ref, const std::function<Status(LeaseTxn&)>& fn) = 0;
  // Read-only: every budget window whose window ends after `now_ms`, with its open leases.
  virtual Result<std::vector<BudgetView>> current(int64_t now_ms) = 0;
  // Forgets remembered request answers older than `before_ms` (retries come within minutes).
  virtual Status forget_answers(int64_t before_ms) = 0;
};

}  // namespace gw::storage
