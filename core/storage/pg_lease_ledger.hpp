#pragma once
// LeaseLedger on PostgreSQL, shared by several `gw serve` replicas: tables budget_windows, leases
// and lease_answers. A budget window's transactions are serialized across replicas by a
// transaction-scoped advisory lock on (scope, budget, window start), taken before anything is
// read (it also covers a window's first lease, when there is no row to SELECT ... FOR UPDATE yet),
// so the lease rules (lease_rules.hpp) see every grant committed before and never overspend.
#include <memory>

#include "core/storage/lease_ledger.hpp"
#include "core/storage/pg_pool.hpp"

namespace gw::storage {

class PgLeaseLedger final : public LeaseLedger {
public:
  // Creates or migrates the lease tables.
  static Result<std::unique_ptr<PgLeaseLedger>> open(std::shared_ptr<pg::Pool> pool);

  Status transact(const BudgetRef& ref, const std::function<Status(LeaseTxn&)>& fn) override;
  Result<std::vector<BudgetView>> current(int64_t now_ms) override;
  Status forget_answers(int64_t before_ms) override;

private:
  explicit PgLeaseLedger(std::shared_ptr<pg::Pool> pool) : m_pool(std::move(pool)) {}
  std::shared_ptr<pg::Pool> m_pool;
};

}  // namespace gw::storage
