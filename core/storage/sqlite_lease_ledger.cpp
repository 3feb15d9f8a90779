#include "core/storage/sqlite_lease_ledger.hpp"

#include "core/storage/sqlite_util.hpp"

namespace gw::storage {
namespace fs = std::filesystem;

namespace {

constexpr const char* k_schema =
    "CREATE TABLE IF NOT EXISTS budget_windows("
    " scope TEXT NOT NULL, budget TEXT NOT NULL, window_start INTEGER NOT NULL,"
    " window_end INTEGER NOT NULL, limit_nano INTEGER NOT NULL, settled_nano INTEGER NOT NULL,"
    " PRIMARY KEY(scope, budget, window_start)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS leases("
    " lease_id TEXT PRIMARY KEY, scope TEXT NOT NULL, budget TEXT NOT NULL, window_start INTEGER NOT NULL,"
    " device_id TEXT NOT NULL, granted_nano INTEGER NOT NULL, spent_nano INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, open INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS leases_open ON leases(scope, budget, window_start) WHERE open = 1;"
    "CREATE TABLE IF NOT EXISTS lease_answers("
    " request_key TEXT PRIMARY KEY, answer TEXT NOT NULL, at_ms INTEGER NOT NULL) WITHOUT ROWID;";

constexpr const char* k_lease_cols =
    "lease_id, device_id, granted_nano, spent_nano, expires_at, open, created_ms, updated_ms";

LeaseRow read_lease(Stmt& s) {
  LeaseRow l;
  l.lease_id = s.text(0);
  l.device_id = s.text(1);
  l.granted_nano = s.i64(2);
  l.spent_nano = s.i64(3);
  l.expires_at_ms = s.i64(4);
  l.open = s.i64(5) != 0;
  l.created_ms = s.i64(6);
  l.updated_ms = s.i64(7);
  return l;
}

void bind_ref(Stmt& s, const BudgetRef& r) {
  s.bind(1, r.scope);
  s.bind(2, r.budget);
  s.bind(3, r.window_start_ms);
}

}  // namespace

struct SqliteLeaseLedger::Statements {
  Stmt begin, commit, rollback, get_budget, put_budget, open_leases, get_lease, put_lease, get_answer,
      put_answer;
  // A SELECT left unreset keeps its read snapshot open past COMMIT; the next BEGIN IMMEDIATE then
  // fails at once (SQLITE_BUSY_SNAPSHOT) when another connection (audit ingest) wrote meanwhile.
  void reset_reads() {
    get_budget.reset();
    open_leases.reset();
    get_lease.reset();
    get_answer.reset();
  }
};

class SqliteLeaseTxn final : public LeaseTxn {
public:
  SqliteLeaseTxn(sqlite3* db, SqliteLeaseLedger::Statements& st, const BudgetRef& ref)
      : m_db(db), m_st(st), m_ref(ref) {}

  Result<std::optional<BudgetRow>> budget() override {
    Stmt& s = m_st.get_budget;
    s.reset();
    bind_ref(s, m_ref);
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<BudgetRow>();
    if (rc != SQLITE_ROW) return std::unexpected(sqlite_error(m_db, "reading a budget window"));
    return std::optional<BudgetRow>(BudgetRow{m_ref, s.i64(0), s.i64(1), s.i64(2)});
  }
  Status put_budget(const BudgetRow& b) override {
    Stmt& s = m_st.put_budget;
    s.reset();
    bind_ref(s, m_ref);
    s.bind(4, b.window_end_ms);
    s.bind(5, b.limit_nano);
    s.bind(6, b.settled_nano);
    if (s.step() != SQLITE_DONE) return std::unexpected(sqlite_error(m_db, "storing a budget window"));
    return {};
  }
  Result<std::vector<LeaseRow>> open_leases() override {
    Stmt& s = m_st.open_leases;
    s.reset();
    bind_ref(s, m_ref);
    std::vector<LeaseRow> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_lease(s));
    if (rc != SQLITE_DONE) return std::unexpected(sqlite_error(m_db, "reading leases"));
    return out;
  }
  Result<std::optional<LeaseRow>> lease(const std::string& id) override {
    Stmt& s = m_st.get_lease;
    s.reset();
    bind_ref(s, m_ref);
    s.bind(4, id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<LeaseRow>();
    if (rc != SQLITE_ROW) return std::unexpected(sqlite_error(m_db, "reading a lease"));
    return std::optional<LeaseRow>(read_lease(s));
  }
  Status put_lease(const LeaseRow& l) override {
    Stmt& s = m_st.put_lease;
    s.reset();
    bind_ref(s, m_ref);
    s.bind(4, l.lease_id);
    s.bind(5, l.device_id);
    s.bind(6, l.granted_nano);
    s.bind(7, l.spent_nano);
    s.bind(8, l.expires_at_ms);
    s.bind(9, int64_t{l.open ? 1 : 0});
    s.bind(10, l.created_ms);
    s.bind(11, l.updated_ms);
    if (s.step() != SQLITE_DONE) return std::unexpected(sqlite_error(m_db, "storing a lease"));
    return {};
  }
  Result<std::optional<std::string>> answered(const std::string& key) override {
    Stmt& s = m_st.get_answer;
    s.reset();
    s.bind(1, key);
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return std::unexpected(sqlite_error(m_db, "reading a lease answer"));
    return std::optional<std::string>(s.text(0));
  }
  Status remember(const std::string& key, const std::string& answer, int64_t now_ms) override {
    Stmt& s = m_st.put_answer;
    s.reset();
    s.bind(1, key);
    s.bind(2, answer);
    s.bind(3, now_ms);
    if (s.step() != SQLITE_DONE) return std::unexpected(sqlite_error(m_db, "storing a lease answer"));
    return {};
  }

private:
  sqlite3* m_db;
  SqliteLeaseLedger::Statements& m_st;
  const BudgetRef& m_ref;
};

Result<std::unique_ptr<SqliteLeaseLedger>> SqliteLeaseLedger::open(const fs::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  std::unique_ptr<SqliteLeaseLedger> l(new SqliteLeaseLedger());
  if (sqlite3_open_v2(file.c_str(), &l->m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK)
    return std::unexpected(sqlite_error(l->m_db, "cannot open the lease ledger " + file.string()));
  sqlite3_busy_timeout(l->m_db, 10000);
  // FULL: a granted lease or a recorded spend is on disk before the device hears of it.
  GW_CHECK(exec(l->m_db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", "configuring " + file.string()));
  GW_CHECK(exec(l->m_db, k_schema, "creating the lease tables in " + file.string()));
  l->m_st = std::make_unique<Statements>();
  auto& st = *l->m_st;
  auto prep = [&](Stmt& stmt, const std::string& sql) -> Status {
    if (!stmt.prepare(l->m_db, sql)) return std::unexpected(sqlite_error(l->m_db, "preparing a statement"));
    return {};
  };
  const std::string where = " WHERE scope = ?1 AND budget = ?2 AND window_start = ?3";
  GW_CHECK(prep(st.begin, "BEGIN IMMEDIATE"));
  GW_CHECK(prep(st.commit, "COMMIT"));
  GW_CHECK(prep(st.rollback, "ROLLBACK"));
  GW_CHECK(prep(st.get_budget, "SELECT window_end, limit_nano, settled_nano FROM budget_windows" + where));
  GW_CHECK(prep(st.put_budget,
                "INSERT OR REPLACE INTO budget_windows(scope, budget, window_start, window_end, limit_nano,"
                " settled_nano) VALUES(?1,?2,?3,?4,?5,?6)"));
  GW_CHECK(prep(st.open_leases, std::string("SELECT ") + k_lease_cols + " FROM leases" + where + " AND open = 1"));
  GW_CHECK(prep(st.get_lease, std::string("SELECT ") + k_lease_cols + " FROM leases" + where + " AND lease_id = ?4"));
  GW_CHECK(prep(st.put_lease,
                "INSERT OR REPLACE INTO leases(scope, budget, window_start, lease_id, device_id, granted_nano,"
                " spent_nano, expires_at, open, created_ms, updated_ms) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"));
  GW_CHECK(prep(st.get_answer, "SELECT answer FROM lease_answers WHERE request_key = ?1"));
  GW_CHECK(prep(st.put_answer, "INSERT OR REPLACE INTO lease_answers(request_key, answer, at_ms) VALUES(?1,?2,?3)"));
  return l;
}

SqliteLeaseLedger::~SqliteLeaseLedger() {
  m_st.reset();
  if (m_db) sqlite3_close(m_db);
}

Status SqliteLeaseLedger::transact(const BudgetRef& ref, const std::function<Status(LeaseTxn&)>& fn) {
  std::lock_guard lock(m_mu);
  auto& st = *m_st;
  st.begin.reset();
  if (st.begin.step() != SQLITE_DONE) return std::unexpected(sqlite_error(m_db, "starting a lease transaction"));
  SqliteLeaseTxn txn(m_db, st, ref);
  Status r = fn(txn);
  st.reset_reads();
  if (r) {
    st.commit.reset();
    if (st.commit.step() == SQLITE_DONE) return {};
    r = std::unexpected(sqlite_error(m_db, "committing a lease"));
  }
  st.rollback.reset();
  st.rollback.step();
  return r;
}

Result<std::vector<BudgetView>> SqliteLeaseLedger::current(int64_t now_ms) {
  std::lock_guard lock(m_mu);
  Stmt b(m_db,
         "SELECT scope, budget, window_start, window_end, limit_nano, settled_nano FROM budget_windows"
         " WHERE window_end > ?1 ORDER BY scope, budget, window_start");
  if (!b.ok()) return std::unexpected(sqlite_error(m_db, "reading budget windows"));
  b.bind(1, now_ms);
  std::vector<BudgetView> out;
  while (b.step() == SQLITE_ROW)
    out.push_back({BudgetRow{{b.text(0), b.text(1), b.i64(2)}, b.i64(3), b.i64(4), b.i64(5)}, {}});
  for (auto& v : out) {
    Stmt& s = m_st->open_leases;
    s.reset();
    bind_ref(s, v.row.ref);
    while (s.step() == SQLITE_ROW) v.leases.push_back(read_lease(s));
    s.reset();
  }
  return out;
}

Status SqliteLeaseLedger::forget_answers(int64_t before_ms) {
  std::lock_guard lock(m_mu);
  Stmt s(m_db, "DELETE FROM lease_answers WHERE at_ms < ?1");
  if (!s.ok()) return std::unexpected(sqlite_error(m_db, "forgetting lease answers"));
  s.bind(1, before_ms);
  if (s.step() != SQLITE_DONE) return std::unexpected(sqlite_error(m_db, "forgetting lease answers"));
  return {};
}

}  // namespace gw::storage
