#pragma once
// A small pool of PostgreSQL connections shared by the PostgreSQL stores of one `gw serve`.
// Connections are opened on demand up to a maximum; a caller waits for a free one when all are
// busy. A connection that broke (server restart, network) is dropped when returned and replaced
// on the next demand, so a restarted database heals without restarting gw.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/storage/pg_util.hpp"

namespace gw::storage::pg {

class Pool {
public:
  // Opens the first connection now, so that a wrong URL or an unreachable server fails the start
  // with a precise message. max_size >= 1.
  static Result<std::unique_ptr<Pool>> open(const std::string& conninfo, size_t max_size);

  // A borrowed connection, returned to the pool when destroyed.
  class Lease {
  public:
    Lease(Pool* pool, std::unique_ptr<Connection> c) : m_pool(pool), m_conn(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Connection& operator*() { return *m_conn; }
    Connection* operator->() { return m_conn.get(); }

  private:
    Pool* m_pool;
    std::unique_ptr<Connection> m_conn;
  };

  // A connection, waiting while max_size are in use. Errors: the server cannot be reached.
  Result<Lease> acquire();
  // Runs a read-only fn (returning a Result) on a connection; when it failed because the
  // connection broke under it (server restart, terminated backend), runs it once more on a fresh
  // one. For statements that are safe to repeat only.
  template <class F>
  auto read(F&& fn) -> decltype(fn(std::declval<Connection&>())) {
    for (int attempt = 0;; ++attempt) {
      auto lease = acquire();
      if (!lease) return std::unexpected(lease.error());
      auto r = fn(**lease);
      if (r || attempt > 0 || (*lease)->healthy()) return r;
    }
  }
  // Runs fn between BEGIN and COMMIT on one connection (READ COMMITTED); rolls back when fn or
  // the commit fails and returns that error. A connection found broken before fn ran is
  // replaced once.
  Status transaction(const std::function<Status(Connection&)>& fn);
  // The server for messages (no password).
  const std::string& target() const { return m_target; }
  const std::string& conninfo() const { return m_conninfo; }

private:
  Pool() = default;
  void give_back(std::unique_ptr<Connection> c);
  std::string m_conninfo;
  std::string m_target;
  size_t m_max = 1;
  std::mutex m_mu;
  std::condition_variable m_cv;
  std::vector<std::unique_ptr<Connection>> m_idle;
  size_t m_open = 0;  // connections in use or idle
};

// One step of a store's schema: applied once, in version order, recorded in gw_schema.
struct Migration {
  int version;
  const char* sql;
};

// Brings `component`'s tables to the newest version in steps, each in its own transaction,
// serialized across replicas by an advisory lock (two replicas starting together migrate once).
// Errors name the component and version.
Status migrate(Pool& pool, const char* component, const std::vector<Migration>& steps);

// Advisory lock classes (the first key of pg_advisory_xact_lock(int, int)); one per purpose.
inline constexpr int k_lock_migrate = 0x67770001;
inline constexpr int k_lock_device = 0x67770002;
inline constexpr int k_lock_budget = 0x67770004;

}  // namespace gw::storage::pg
