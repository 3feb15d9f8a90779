#include "core/limits/usage_log.hpp"

#include <nlohmann/json.hpp>

#include "core/common/log.hpp"

#include <sqlite3.h>

namespace gw::limits {

gw::Result<std::unique_ptr<UsageLog>> UsageLog::open(const std::filesystem::path& file) {
  std::unique_ptr<UsageLog> log(new UsageLog());
  auto fail_db = [&](const char* what) {
    return gw::fail(gw::Errc::io, file.string() + ": " + what + ": " +
                                      (log->m_db ? sqlite3_errmsg(log->m_db) : "out of memory"));
  };
  if (sqlite3_open_v2(file.c_str(), &log->m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK)
    return fail_db("cannot open the usage database");
  sqlite3_busy_timeout(log->m_db, 5000);
  const char* schema =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS usage(ts INTEGER NOT NULL, key TEXT, team TEXT, provider TEXT,"
      " model TEXT, agent TEXT, input INTEGER, output INTEGER, cache_read INTEGER,"
      " cache_write INTEGER, reasoning INTEGER, cost INTEGER);"
      "CREATE INDEX IF NOT EXISTS usage_ts ON usage(ts);";
  if (sqlite3_exec(log->m_db, schema, nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail_db("cannot create the usage schema");
  if (sqlite3_prepare_v2(log->m_db, "INSERT INTO usage VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", -1,
                         &log->m_insert, nullptr) != SQLITE_OK)
    return fail_db("cannot prepare statements");
  return log;
}

UsageLog::~UsageLog() {
  m_writer.stop();  // commits what is queued while the statement still exists
  sqlite3_finalize(m_insert);
  sqlite3_close(m_db);
}

gw::Status UsageLog::record(const UsageRow& r) {
  m_writer.push(r);
  return {};
}

void UsageLog::write_batch(const std::vector<UsageRow>& rows) {
  std::lock_guard lock(m_mutex);
  sqlite3_exec(m_db, "BEGIN", nullptr, nullptr, nullptr);
  for (const UsageRow& r : rows) {
    sqlite3_reset(m_insert);
    int i = 1;
    sqlite3_bind_int64(m_insert, i++, r.ts_ms);
    for (const std::string* s : {&r.key, &r.team, &r.provider, &r.model, &r.agent})
      sqlite3_bind_text(m_insert, i++, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(m_insert, i++, r.usage.input_tokens);
    sqlite3_bind_int64(m_insert, i++, r.usage.output_tokens);
    sqlite3_bind_int64(m_insert, i++, r.usage.cache_read_tokens);
    sqlite3_bind_int64(m_insert, i++, r.usage.cache_write_5m_tokens + r.usage.cache_write_1h_tokens);
    sqlite3_bind_int64(m_insert, i++, r.usage.reasoning_tokens);
    sqlite3_bind_int64(m_insert, i++, r.cost_nano_usd);
    if (sqlite3_step(m_insert) != SQLITE_DONE)
      log::write(log::Level::error, "cannot record usage", {{"error", sqlite3_errmsg(m_db)}});
    sqlite3_reset(m_insert);
  }
  if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    log::write(log::Level::error, "cannot commit usage records", {{"error", sqlite3_errmsg(m_db)}});
}

gw::Result<std::vector<UsageSummary>> UsageLog::summarize(UsageGroup group, int64_t since_ms) {
  m_writer.flush();
  const char* column = group == UsageGroup::model   ? "model"
                       : group == UsageGroup::agent ? "agent"
                       : group == UsageGroup::key   ? "key"
                                                    : "strftime('%Y-%m-%d', ts / 1000, 'unixepoch')";
  std::string sql = std::string("SELECT ") + column +
                    ", COUNT(*), SUM(input), SUM(output), SUM(cache_read), SUM(cache_write),"
                    " SUM(reasoning), SUM(cost) FROM usage WHERE ts >= ? GROUP BY 1 ORDER BY 8 DESC, 1";
  std::lock_guard lock(m_mutex);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    return gw::fail(gw::Errc::io, std::string("cannot read usage: ") + sqlite3_errmsg(m_db));
  sqlite3_bind_int64(st, 1, since_ms);
  std::vector<UsageSummary> out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    UsageSummary s;
    const unsigned char* g = sqlite3_column_text(st, 0);
    s.group = g ? reinterpret_cast<const char*>(g) : "";
    s.requests = sqlite3_column_int64(st, 1);
    s.usage.input_tokens = sqlite3_column_int64(st, 2);
    s.usage.output_tokens = sqlite3_column_int64(st, 3);
    s.usage.cache_read_tokens = sqlite3_column_int64(st, 4);
    s.usage.cache_write_5m_tokens = sqlite3_column_int64(st, 5);
    s.usage.reasoning_tokens = sqlite3_column_int64(st, 6);
    s.cost_nano_usd = sqlite3_column_int64(st, 7);
    out.push_back(std::move(s));
  }
  sqlite3_finalize(st);
  return out;
}

}  // namespace gw::limits
