// SqliteAuditStore's report queries (spend and audit search), on the read connection. They read
// the stored JSON lines with SQLite's json_extract: a scan of the matching rows, fine for reports
// an operator runs; sidecars never wait on them (separate connection, WAL).
#include "core/storage/sqlite_audit_store.hpp"
#include "core/storage/sqlite_util.hpp"

namespace gw::storage {

namespace {

const char* group_expr(SpendBy by) {
  switch (by) {
    case SpendBy::key: return "COALESCE(json_extract(line, '$.virtual_key_id'), '')";
    case SpendBy::team: return "COALESCE(json_extract(line, '$.team'), '')";
    case SpendBy::model: return "COALESCE(json_extract(line, '$.model'), '')";
    case SpendBy::day:
      return "strftime('%Y-%m-%d', json_extract(line, '$.time_ms') / 1000, 'unixepoch')";
  }
  return "''";
}

}  // namespace

Result<std::vector<SpendRow>> SqliteAuditStore::spend(const SpendQuery& q) {
  std::string g = group_expr(q.by);
  std::string sql =
      "SELECT " + g + " AS g, COUNT(*), "
      "SUM(COALESCE(json_extract(line, '$.usage.input'), 0)), "
      "SUM(COALESCE(json_extract(line, '$.usage.output'), 0)), "
      "SUM(COALESCE(json_extract(line, '$.cost_nano_usd'), 0)) "
      "FROM audit_log WHERE type = 'event' AND json_extract(line, '$.kind') = 'completed' "
      "AND (?1 = 0 OR json_extract(line, '$.time_ms') >= ?1) AND (?2 = 0 OR json_extract(line, '$.time_ms') < ?2) "
      "GROUP BY g ORDER BY g";
  std::lock_guard lock(m_read_mu);
  Stmt s(m_read, sql);
  if (!s.ok()) return std::unexpected(sqlite_error(m_read, "preparing the spend report"));
  s.bind(1, q.since_ms);
  s.bind(2, q.until_ms);
  std::vector<SpendRow> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW)
    out.push_back({s.text(0), static_cast<uint64_t>(s.i64(1)), s.i64(2), s.i64(3), s.i64(4)});
  if (rc != SQLITE_DONE) return std::unexpected(sqlite_error(m_read, "reading the spend report"));
  return out;
}

Result<std::vector<StoredEvent>> SqliteAuditStore::query_events(const AuditQuery& q) {
  static constexpr const char* k_sql =
      "SELECT position, device_id, epoch, seq, line FROM audit_log "
      "WHERE position > ?1 AND type != 'checkpoint' "
      "AND (?2 = 0 OR json_extract(line, '$.time_ms') >= ?2) AND (?3 = 0 OR json_extract(line, '$.time_ms') < ?3) "
      "AND (?4 = '' OR device_id = ?4) "
      "AND (?5 = '' OR json_extract(line, '$.virtual_key_id') = ?5) "
      "AND (?6 = '' OR json_extract(line, '$.user') = ?6) "
      "AND (?7 = '' OR json_extract(line, '$.kind') = ?7) "
      "AND (?8 = '' OR json_extract(line, '$.decision') = ?8) "
      "ORDER BY position LIMIT ?9";
  std::lock_guard lock(m_read_mu);
  Stmt s(m_read, k_sql);
  if (!s.ok()) return std::unexpected(sqlite_error(m_read, "preparing the audit query"));
  s.bind(1, q.after);
  s.bind(2, q.since_ms);
  s.bind(3, q.until_ms);
  s.bind(4, q.device);
  s.bind(5, q.key);
  s.bind(6, q.user);
  s.bind(7, q.kind);
  s.bind(8, q.decision);
  s.bind(9, static_cast<int64_t>(q.limit));
  std::vector<StoredEvent> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    StoredEvent e;
    e.position = static_cast<uint64_t>(s.i64(0));
    e.device_id = s.text(1);
    e.epoch = static_cast<uint64_t>(s.i64(2));
    if (sqlite3_column_type(s.get(), 3) != SQLITE_NULL) e.seq = static_cast<uint64_t>(s.i64(3));
    e.line = s.text(4);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return std::unexpected(sqlite_error(m_read, "reading the audit query"));
  return out;
}

}  // namespace gw::storage
