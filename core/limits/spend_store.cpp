#include "core/limits/spend_store.hpp"

#include <nlohmann/json.hpp>

#include "core/common/log.hpp"

#include <sqlite3.h>

namespace gw::limits {

std::map<int64_t, int64_t> MemorySpendStore::load(const std::string& account, int64_t from_ms) {
  std::lock_guard lock(m_mutex);
  std::map<int64_t, int64_t> out;
  auto it = m_rows.find(account);
  if (it == m_rows.end()) return out;
  for (auto r = it->second.lower_bound(from_ms); r != it->second.end(); ++r) out.insert(*r);
  return out;
}

gw::Status MemorySpendStore::add(const std::string& account, int64_t bucket, int64_t nano) {
  std::lock_guard lock(m_mutex);
  m_rows[account][bucket] += nano;
  return {};
}

gw::Result<std::unique_ptr<SqliteSpendStore>> SqliteSpendStore::open(const std::filesystem::path& file) {
  std::unique_ptr<SqliteSpendStore> s(new SqliteSpendStore());
  auto fail_db = [&](const char* what) {
    std::string msg = file.string() + ": " + what + ": " + (s->m_db ? sqlite3_errmsg(s->m_db) : "out of memory");
    return gw::fail(gw::Errc::io, msg);
  };
  if (sqlite3_open_v2(file.c_str(), &s->m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK)
    return fail_db("cannot open the spend database");
  sqlite3_busy_timeout(s->m_db, 5000);
  const char* schema =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS spend(account TEXT NOT NULL, bucket INTEGER NOT NULL,"
      " nano INTEGER NOT NULL, PRIMARY KEY(account, bucket)) WITHOUT ROWID;";
  if (sqlite3_exec(s->m_db, schema, nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail_db("cannot create the spend schema");
  if (sqlite3_prepare_v2(s->m_db, "SELECT bucket, nano FROM spend WHERE account=? AND bucket>=?", -1,
                         &s->m_load, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(s->m_db,
                         "INSERT INTO spend(account,bucket,nano) VALUES(?,?,?) ON CONFLICT(account,"
                         "bucket) DO UPDATE SET nano=nano+excluded.nano",
                         -1, &s->m_add, nullptr) != SQLITE_OK)
    return fail_db("cannot prepare statements");
  return s;
}

SqliteSpendStore::~SqliteSpendStore() {
  m_writer.stop();  // commits what is queued while the statements still exist
  sqlite3_finalize(m_load);
  sqlite3_finalize(m_add);
  sqlite3_close(m_db);
}

std::map<int64_t, int64_t> SqliteSpendStore::load(const std::string& account, int64_t from_ms) {
  m_writer.flush();
  std::lock_guard lock(m_mutex);
  std::map<int64_t, int64_t> out;
  sqlite3_reset(m_load);
  sqlite3_bind_text(m_load, 1, account.data(), static_cast<int>(account.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(m_load, 2, from_ms);
  while (sqlite3_step(m_load) == SQLITE_ROW)
    out[sqlite3_column_int64(m_load, 0)] += sqlite3_column_int64(m_load, 1);
  sqlite3_reset(m_load);
  return out;
}

gw::Status SqliteSpendStore::add(const std::string& account, int64_t bucket, int64_t nano) {
  m_writer.push(Charge{account, bucket, nano});
  return {};
}

void SqliteSpendStore::write_batch(const std::vector<Charge>& charges) {
  std::lock_guard lock(m_mutex);
  sqlite3_exec(m_db, "BEGIN", nullptr, nullptr, nullptr);
  for (const auto& c : charges) {
    sqlite3_reset(m_add);
    sqlite3_bind_text(m_add, 1, c.account.data(), static_cast<int>(c.account.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(m_add, 2, c.bucket_start_ms);
    sqlite3_bind_int64(m_add, 3, c.nano_usd);
    if (sqlite3_step(m_add) != SQLITE_DONE)
      log::write(log::Level::error, "cannot record spend; the charge is only in memory",
                 {{"account", c.account}, {"error", sqlite3_errmsg(m_db)}});
    sqlite3_reset(m_add);
  }
  if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    log::write(log::Level::error, "cannot commit spend", {{"error", sqlite3_errmsg(m_db)}});
}

std::map<std::string, std::map<int64_t, int64_t>> SqliteSpendStore::dump() {
  m_writer.flush();
  std::lock_guard lock(m_mutex);
  std::map<std::string, std::map<int64_t, int64_t>> out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(m_db, "SELECT account, bucket, nano FROM spend", -1, &st, nullptr) != SQLITE_OK)
    return out;
  while (sqlite3_step(st) == SQLITE_ROW)
    out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))][sqlite3_column_int64(st, 1)] +=
        sqlite3_column_int64(st, 2);
  sqlite3_finalize(st);
  return out;
}

}  // namespace gw::limits
