#include "core/storage/pg_pool.hpp"

namespace gw::storage::pg {

Result<std::unique_ptr<Pool>> Pool::open(const std::string& conninfo, size_t max_size) {
  std::unique_ptr<Pool> p(new Pool());
  p->m_conninfo = conninfo;
  p->m_target = describe_target(conninfo);
  p->m_max = max_size ? max_size : 1;
  GW_TRY(first, Connection::open(conninfo));
  p->m_idle.push_back(std::move(first));
  p->m_open = 1;
  return p;
}

Pool::Lease::~Lease() {
  if (m_conn) m_pool->give_back(std::move(m_conn));
}

void Pool::give_back(std::unique_ptr<Connection> c) {
  {
    std::lock_guard lock(m_mu);
    if (c->healthy() && PQtransactionStatus(c->raw()) == PQTRANS_IDLE)
      m_idle.push_back(std::move(c));
    else
      --m_open;  // dropped (broken, or left inside a transaction); replaced on demand
  }
  m_cv.notify_one();
}

Result<Pool::Lease> Pool::acquire() {
  std::unique_lock lock(m_mu);
  for (;;) {
    m_cv.wait(lock, [&] { return !m_idle.empty() || m_open < m_max; });
    if (m_idle.empty()) break;
    auto c = std::move(m_idle.back());
    m_idle.pop_back();
    // An idle connection the server closed (restart, pg_terminate_backend, idle timeout) has its
    // goodbye waiting in the socket: reading it without blocking tells, before any statement fails.
    if (PQconsumeInput(c->raw()) && c->healthy()) return Lease(this, std::move(c));
    --m_open;
  }
  ++m_open;
  lock.unlock();
  auto c = Connection::open(m_conninfo);
  if (!c) {
    {
      std::lock_guard relock(m_mu);
      --m_open;
    }
    m_cv.notify_one();
    return std::unexpected(c.error());
  }
  return Lease(this, std::move(*c));
}

Status Pool::transaction(const std::function<Status(Connection&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    GW_TRY(lease, acquire());
    auto begun = lease->exec("BEGIN", "starting a transaction");
    if (!begun) {
      if (attempt == 0 && !lease->healthy()) continue;  // a stale connection: once more, fresh
      return begun;
    }
    Status r = fn(*lease);
    if (r) r = lease->exec("COMMIT", "committing");
    if (!r && lease->healthy()) (void)lease->exec("ROLLBACK", "rolling back");
    return r;
  }
}

Status migrate(Pool& pool, const char* component, const std::vector<Migration>& steps) {
  GW_TRY(lease, pool.acquire());
  for (const Migration& m : steps) {
    GW_CHECK(lease->exec("BEGIN", "starting a migration"));
    auto step = [&]() -> Status {
      Params lock;
      lock.i64(k_lock_migrate);
      GW_TRY(l, lease->run_once("SELECT pg_advisory_xact_lock($1::int, 0)", lock, "locking the schema"));
      (void)l;
      // Under the lock: replicas starting together would otherwise race on CREATE TABLE.
      GW_CHECK(lease->exec("CREATE TABLE IF NOT EXISTS gw_schema(component TEXT NOT NULL, version INTEGER NOT NULL,"
                           " applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY(component, version))",
                           "creating gw_schema"));
      Params q;
      q.text(component).i64(m.version);
      GW_TRY(done, lease->run_once("SELECT 1 FROM gw_schema WHERE component = $1 AND version = $2", q,
                                   "reading the schema version"));
      if (PQntuples(done.get()) > 0) return {};
      std::string what = std::string("migrating ") + component + " to schema version " + std::to_string(m.version);
      GW_CHECK(lease->exec(m.sql, what));
      Params ins;
      ins.text(component).i64(m.version);
      GW_TRY(r, lease->run_once("INSERT INTO gw_schema(component, version) VALUES($1, $2)", ins, what));
      (void)r;
      return {};
    };
    Status st = step();
    if (st) st = lease->exec("COMMIT", "committing a migration");
    if (!st) {
      if (lease->healthy()) (void)lease->exec("ROLLBACK", "rolling back a migration");
      return st;
    }
  }
  return {};
}

}  // namespace gw::storage::pg
