// PgAuditStore's report queries (spend and audit search): the same semantics as the SQLite ones
// (sqlite_audit_reports.cpp), reading the stored JSON lines as jsonb.
#include "core/storage/pg_audit_store.hpp"
#include "core/storage/pg_util.hpp"

namespace gw::storage {
using pg::Params;

namespace {

const char* spend_sql(SpendBy by) {
  switch (by) {
    case SpendBy::key:
      return "SELECT COALESCE(j->>'virtual_key_id', '') AS g, COUNT(*), SUM(COALESCE((j->'usage'->>'input')::bigint, 0)),"
             " SUM(COALESCE((j->'usage'->>'output')::bigint, 0)), SUM(COALESCE((j->>'cost_nano_usd')::bigint, 0))"
             " FROM (SELECT line::jsonb AS j FROM audit_log WHERE type = 'event') e WHERE j->>'kind' = 'completed'"
             " AND ($1 = 0 OR (j->>'time_ms')::bigint >= $1) AND ($2 = 0 OR (j->>'time_ms')::bigint < $2)"
             " GROUP BY g ORDER BY g";
    case SpendBy::team:
      return "SELECT COALESCE(j->>'team', '') AS g, COUNT(*), SUM(COALESCE((j->'usage'->>'input')::bigint, 0)),"
             " SUM(COALESCE((j->'usage'->>'output')::bigint, 0)), SUM(COALESCE((j->>'cost_nano_usd')::bigint, 0))"
             " FROM (SELECT line::jsonb AS j FROM audit_log WHERE type = 'event') e WHERE j->>'kind' = 'completed'"
             " AND ($1 = 0 OR (j->>'time_ms')::bigint >= $1) AND ($2 = 0 OR (j->>'time_ms')::bigint < $2)"
             " GROUP BY g ORDER BY g";
    case SpendBy::model:
      return "SELECT COALESCE(j->>'model', '') AS g, COUNT(*), SUM(COALESCE((j->'usage'->>'input')::bigint, 0)),"
             " SUM(COALESCE((j->'usage'->>'output')::bigint, 0)), SUM(COALESCE((j->>'cost_nano_usd')::bigint, 0))"
             " FROM (SELECT line::jsonb AS j FROM audit_log WHERE type = 'event') e WHERE j->>'kind' = 'completed'"
             " AND ($1 = 0 OR (j->>'time_ms')::bigint >= $1) AND ($2 = 0 OR (j->>'time_ms')::bigint < $2)"
             " GROUP BY g ORDER BY g";
    case SpendBy::day:
      return "SELECT to_char(to_timestamp((j->>'time_ms')::bigint / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS g,"
             " COUNT(*), SUM(COALESCE((j->'usage'->>'input')::bigint, 0)),"
             " SUM(COALESCE((j->'usage'->>'output')::bigint, 0)), SUM(COALESCE((j->>'cost_nano_usd')::bigint, 0))"
             " FROM (SELECT line::jsonb AS j FROM audit_log WHERE type = 'event') e WHERE j->>'kind' = 'completed'"
             " AND ($1 = 0 OR (j->>'time_ms')::bigint >= $1) AND ($2 = 0 OR (j->>'time_ms')::bigint < $2)"
             " GROUP BY g ORDER BY g";
  }
  return "";
}

const char* spend_name(SpendBy by) {
  switch (by) {
    case SpendBy::key: return "audit_spend_key";
    case SpendBy::team: return "audit_spend_team";
    case SpendBy::model: return "audit_spend_model";
    case SpendBy::day: return "audit_spend_day";
  }
  return "";
}

}  // namespace

Result<std::vector<SpendRow>> PgAuditStore::spend(const SpendQuery& q) {
  GW_TRY(c, m_pool->acquire());
  Params p;
  p.i64(q.since_ms).i64(q.until_ms);
  GW_TRY(r, c->run(spend_name(q.by), spend_sql(q.by), p, "reading the spend report"));
  std::vector<SpendRow> out;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    out.push_back({pg::cell(r, i, 0), static_cast<uint64_t>(pg::cell_i64(r, i, 1)), pg::cell_i64(r, i, 2),
                   pg::cell_i64(r, i, 3), pg::cell_i64(r, i, 4)});
  return out;
}

Result<std::vector<StoredEvent>> PgAuditStore::query_events(const AuditQuery& q) {
  GW_TRY(c, m_pool->acquire());
  Params p;
  p.u64(q.after).i64(q.since_ms).i64(q.until_ms).text(q.device).text(q.key).text(q.user).text(q.kind).text(q.decision)
      .i64(static_cast<int64_t>(q.limit));
  GW_TRY(r, c->run("audit_query",
                   "SELECT position, device_id, epoch, seq, line FROM audit_log"
                   " WHERE position > $1 AND type <> 'checkpoint'"
                   " AND ($2 = 0 OR (line::jsonb->>'time_ms')::bigint >= $2)"
                   " AND ($3 = 0 OR (line::jsonb->>'time_ms')::bigint < $3)"
                   " AND ($4 = '' OR device_id = $4)"
                   " AND ($5 = '' OR line::jsonb->>'virtual_key_id' = $5)"
                   " AND ($6 = '' OR line::jsonb->>'user' = $6)"
                   " AND ($7 = '' OR line::jsonb->>'kind' = $7)"
                   " AND ($8 = '' OR line::jsonb->>'decision' = $8)"
                   " ORDER BY position LIMIT $9",
                   p, "reading the audit query"));
  std::vector<StoredEvent> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    StoredEvent e;
    e.position = static_cast<uint64_t>(pg::cell_i64(r, i, 0));
    e.device_id = pg::cell(r, i, 1);
    e.epoch = static_cast<uint64_t>(pg::cell_i64(r, i, 2));
    if (!pg::cell_null(r, i, 3)) e.seq = static_cast<uint64_t>(pg::cell_i64(r, i, 3));
    e.line = pg::cell(r, i, 4);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace gw::storage
