#pragma once
// LeaseLedger on SQLite: tables budget_windows, leases and lease_answers in the central store's
// file (WAL). One write connection; transactions are serialized by a mutex and BEGIN IMMEDIATE,
// so two grants on one budget never interleave (also against another process on the same file).
#include <filesystem>
#include <memory>
#include <mutex>

#include "core/storage/lease_ledger.hpp"

struct sqlite3;

namespace gw::storage {

class SqliteLeaseLedger final : public LeaseLedger {
public:
  // Opens or creates the database (and its parent directory) with the lease tables.
  static Result<std::unique_ptr<SqliteLeaseLedger>> open(const std::filesystem::path& file);
  ~SqliteLeaseLedger() override;

  Status transact(const BudgetRef& ref, const std::function<Status(LeaseTxn&)>& fn) override;
  Result<std::vector<BudgetView>> current(int64_t now_ms) override;
  Status forget_answers(int64_t before_ms) override;

  struct Statements;

private:
  SqliteLeaseLedger() = default;
  std::mutex m_mu;
  sqlite3* m_db = nullptr;
  std::unique_ptr<Statements> m_st;
};

}  // namespace gw::storage
