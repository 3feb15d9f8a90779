#include "core/storage/pg_lease_ledger.hpp"

namespace gw::storage {
using pg::Params;
using pg::PgResult;

namespace {

const std::vector<pg::Migration> k_migrations = {
    {1,
     "CREATE TABLE budget_windows("
     " scope TEXT NOT NULL, budget TEXT NOT NULL, window_start BIGINT NOT NULL,"
     " window_end BIGINT NOT NULL, limit_nano BIGINT NOT NULL, settled_nano BIGINT NOT NULL,"
     " PRIMARY KEY(scope, budget, window_start));"
     "CREATE TABLE leases("
     " lease_id TEXT PRIMARY KEY, scope TEXT NOT NULL, budget TEXT NOT NULL, window_start BIGINT NOT NULL,"
     " device_id TEXT NOT NULL, granted_nano BIGINT NOT NULL, spent_nano BIGINT NOT NULL,"
     " expires_at BIGINT NOT NULL, open BOOLEAN NOT NULL, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL);"
     "CREATE INDEX leases_open ON leases(scope, budget, window_start) WHERE open;"
     "CREATE TABLE lease_answers(request_key TEXT PRIMARY KEY, answer TEXT NOT NULL, at_ms BIGINT NOT NULL);"
     "CREATE INDEX lease_answers_at ON lease_answers(at_ms);"},
};

constexpr const char* k_lease_cols =
    "lease_id, device_id, granted_nano, spent_nano, expires_at, open::int, created_ms, updated_ms";
constexpr const char* k_where = " WHERE scope = $1 AND budget = $2 AND window_start = $3";

LeaseRow read_lease(const PgResult& r, int row) {
  LeaseRow l;
  l.lease_id = pg::cell(r, row, 0);
  l.device_id = pg::cell(r, row, 1);
  l.granted_nano = pg::cell_i64(r, row, 2);
  l.spent_nano = pg::cell_i64(r, row, 3);
  l.expires_at_ms = pg::cell_i64(r, row, 4);
  l.open = pg::cell_i64(r, row, 5) != 0;
  l.created_ms = pg::cell_i64(r, row, 6);
  l.updated_ms = pg::cell_i64(r, row, 7);
  return l;
}

Params ref_params(const BudgetRef& r) {
  Params p;
  p.text(r.scope).text(r.budget).i64(r.window_start_ms);
  return p;
}

const std::string k_get_budget = std::string("SELECT window_end, limit_nano, settled_nano FROM budget_windows") + k_where;
const std::string k_open_leases = std::string("SELECT ") + k_lease_cols + " FROM leases" + k_where + " AND open";
const std::string k_get_lease = std::string("SELECT ") + k_lease_cols + " FROM leases" + k_where + " AND lease_id = $4";

class PgLeaseTxn final : public LeaseTxn {
public:
  PgLeaseTxn(pg::Connection& c, const BudgetRef& ref) : m_c(c), m_ref(ref) {}

  Result<std::optional<BudgetRow>> budget() override {
    Params p = ref_params(m_ref);
    GW_TRY(r, m_c.run("lease_get_budget", k_get_budget.c_str(), p, "reading a budget window"));
    if (PQntuples(r.get()) == 0) return std::optional<BudgetRow>();
    return std::optional<BudgetRow>(BudgetRow{m_ref, pg::cell_i64(r, 0, 0), pg::cell_i64(r, 0, 1), pg::cell_i64(r, 0, 2)});
  }
  Status put_budget(const BudgetRow& b) override {
    Params p = ref_params(m_ref);
    p.i64(b.window_end_ms).i64(b.limit_nano).i64(b.settled_nano);
    GW_TRY(r, m_c.run("lease_put_budget",
                      "INSERT INTO budget_windows(scope, budget, window_start, window_end, limit_nano, settled_nano)"
                      " VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT (scope, budget, window_start) DO UPDATE SET"
                      " window_end = EXCLUDED.window_end, limit_nano = EXCLUDED.limit_nano,"
                      " settled_nano = EXCLUDED.settled_nano",
                      p, "storing a budget window"));
    (void)r;
    return {};
  }
  Result<std::vector<LeaseRow>> open_leases() override {
    Params p = ref_params(m_ref);
    GW_TRY(r, m_c.run("lease_open", k_open_leases.c_str(), p, "reading leases"));
    std::vector<LeaseRow> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(read_lease(r, i));
    return out;
  }
  Result<std::optional<LeaseRow>> lease(const std::string& id) override {
    Params p = ref_params(m_ref);
    p.text(id);
    GW_TRY(r, m_c.run("lease_get", k_get_lease.c_str(), p, "reading a lease"));
    if (PQntuples(r.get()) == 0) return std::optional<LeaseRow>();
    return std::optional<LeaseRow>(read_lease(r, 0));
  }
  Status put_lease(const LeaseRow& l) override {
    Params p = ref_params(m_ref);
    p.text(l.lease_id).text(l.device_id).i64(l.granted_nano).i64(l.spent_nano).i64(l.expires_at_ms);
    p.i64(l.open ? 1 : 0).i64(l.created_ms).i64(l.updated_ms);
    GW_TRY(r, m_c.run("lease_put",
                      "INSERT INTO leases(scope, budget, window_start, lease_id, device_id, granted_nano, spent_nano,"
                      " expires_at, open, created_ms, updated_ms) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9 <> 0,$10,$11)"
                      " ON CONFLICT (lease_id) DO UPDATE SET scope = EXCLUDED.scope, budget = EXCLUDED.budget,"
                      " window_start = EXCLUDED.window_start, device_id = EXCLUDED.device_id,"
                      " granted_nano = EXCLUDED.granted_nano, spent_nano = EXCLUDED.spent_nano,"
                      " expires_at = EXCLUDED.expires_at, open = EXCLUDED.open, created_ms = EXCLUDED.created_ms,"
                      " updated_ms = EXCLUDED.updated_ms",
                      p, "storing a lease"));
    (void)r;
    return {};
  }
  Result<std::optional<std::string>> answered(const std::string& key) override {
    Params p;
    p.text(key);
    GW_TRY(r, m_c.run("lease_answered", "SELECT answer FROM lease_answers WHERE request_key = $1", p,
                      "reading a lease answer"));
    if (PQntuples(r.get()) == 0) return std::optional<std::string>();
    return std::optional<std::string>(pg::cell(r, 0, 0));
  }
  Status remember(const std::string& key, const std::string& answer, int64_t now_ms) override {
    Params p;
    p.text(key).text(answer).i64(now_ms);
    GW_TRY(r, m_c.run("lease_remember",
                      "INSERT INTO lease_answers(request_key, answer, at_ms) VALUES($1,$2,$3)"
                      " ON CONFLICT (request_key) DO UPDATE SET answer = EXCLUDED.answer, at_ms = EXCLUDED.at_ms",
                      p, "storing a lease answer"));
    (void)r;
    return {};
  }

private:
  pg::Connection& m_c;
  const BudgetRef& m_ref;
};

}  // namespace

Result<std::unique_ptr<PgLeaseLedger>> PgLeaseLedger::open(std::shared_ptr<pg::Pool> pool) {
  GW_CHECK(pg::migrate(*pool, "leases", k_migrations));
  return std::unique_ptr<PgLeaseLedger>(new PgLeaseLedger(std::move(pool)));
}

Status PgLeaseLedger::transact(const BudgetRef& ref, const std::function<Status(LeaseTxn&)>& fn) {
  return m_pool->transaction([&](pg::Connection& c) -> Status {
    Params lock = ref_params(ref);
    lock.i64(pg::k_lock_budget);
    GW_TRY(l, c.run("lease_lock",
                    "SELECT pg_advisory_xact_lock($4::int, hashtext($1 || chr(31) || $2 || chr(31) || $3::text))", lock,
                    "locking the budget window"));
    (void)l;
    PgLeaseTxn txn(c, ref);
    return fn(txn);
  });
}

Result<std::vector<BudgetView>> PgLeaseLedger::current(int64_t now_ms) {
  return m_pool->read([&](pg::Connection& c) -> Result<std::vector<BudgetView>> {
    Params p;
    p.i64(now_ms);
    GW_TRY(b, c.run("lease_current",
                    "SELECT scope, budget, window_start, window_end, limit_nano, settled_nano FROM budget_windows"
                    " WHERE window_end > $1 ORDER BY scope, budget, window_start",
                    p, "reading budget windows"));
    std::vector<BudgetView> out;
    for (int i = 0; i < PQntuples(b.get()); ++i)
      out.push_back({BudgetRow{{pg::cell(b, i, 0), pg::cell(b, i, 1), pg::cell_i64(b, i, 2)}, pg::cell_i64(b, i, 3),
                               pg::cell_i64(b, i, 4), pg::cell_i64(b, i, 5)},
                     {}});
    for (auto& v : out) {
      Params q = ref_params(v.row.ref);
      GW_TRY(r, c.run("lease_open", k_open_leases.c_str(), q, "reading leases"));
      for (int i = 0; i < PQntuples(r.get()); ++i) v.leases.push_back(read_lease(r, i));
    }
    return out;
  });
}

Status PgLeaseLedger::forget_answers(int64_t before_ms) {
  return m_pool->read([&](pg::Connection& c) -> Status {
    Params p;
    p.i64(before_ms);
    GW_TRY(r, c.run("lease_forget", "DELETE FROM lease_answers WHERE at_ms < $1", p, "forgetting lease answers"));
    (void)r;
    return {};
  });
}

}  // namespace gw::storage
