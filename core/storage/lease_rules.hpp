#pragma once
// The lease rules of the central budget ledger (ADR 0046), storage-agnostic: they run inside one
// LeaseLedger transaction per budget window.
//
//  - A grant never takes the window beyond its limit: it is at most
//      limit - settled - outstanding(every open, unexpired lease, this one included).
//  - Spend is reported as a lease's running total (idempotent: a stale or repeated report never
//    lowers it); every increase adds to the window's settled spend for good.
//  - An expired lease's unspent remainder no longer counts (it is released); its reported spend
//    stays. Renewing an expired lease restarts it from what it spent.
//  - A renew or release of a lease from an earlier window records its spend there and closes it;
//    a renew then acquires in the current window.
//  - A lease id the ledger does not know (central store restored from backup) is recreated with
//    the spend the device reports, so that spend is not lost.
//  - Every operation carries a request id; a retry of an answered request gets the same answer.
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/common/result.hpp"
#include "core/storage/lease_ledger.hpp"

namespace gw::storage {

struct LeaseOp {
  enum class Kind { acquire, renew, release };
  Kind kind = Kind::acquire;
  std::string request_id;  // required; unique per device and operation (retries reuse it)
  std::string device_id;
  BudgetRef ref;           // the budget's current window (computed by the server from policy)
  int64_t window_end_ms = 0;
  int64_t limit_nano = 0;
  // renew / release: the lease, the window it belongs to, and the device's total spend on it.
  std::string lease_id;
  int64_t lease_window_start_ms = 0;
  int64_t spent_nano = 0;
  int64_t want_nano = 0;   // at least this much more is needed now (0: a top-up or a report)
  int64_t slice_nano = 0;  // top the lease's unspent balance up to this when the budget has it
  int64_t ttl_ms = 0;      // a lease lives this long after each acquire/renew (capped at window end)
  int64_t now_ms = 0;
};

std::string_view to_string(LeaseOp::Kind kind);

struct LeaseAnswer {
  bool exhausted = false;  // want_nano could not be granted; nothing was granted
  bool released = false;
  std::string lease_id;
  int64_t window_start_ms = 0;
  int64_t window_end_ms = 0;
  int64_t granted_nano = 0;   // the lease's total grant
  int64_t spent_nano = 0;     // the lease's reported spend
  int64_t grant_nano = 0;     // added by this operation
  int64_t expires_at_ms = 0;
  int64_t limit_nano = 0;
  int64_t settled_nano = 0;      // the window's settled spend (every device)
  int64_t outstanding_nano = 0;  // unspent grants of every open lease (this one included)
  int64_t remaining_nano = 0;    // limit - settled - outstanding (>= 0): what others can still get
};

nlohmann::json to_json(const LeaseAnswer& a);
Result<LeaseAnswer> lease_answer_from_json(const nlohmann::json& j);

// Applies `op` under the rules above. Errors: invalid_argument (missing request id, renew without
// a lease id, negative amounts), or the store's.
Result<LeaseAnswer> apply_lease_op(LeaseLedger& ledger, const LeaseOp& op);

}  // namespace gw::storage
