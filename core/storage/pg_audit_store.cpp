#include "core/storage/pg_audit_store.hpp"

#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

namespace gw::storage {
using pg::Params;
using pg::PgResult;

namespace {

constexpr const char* k_channel = "gw_audit_feed";

// Version 1: the same rows as the SQLite store (see sqlite_audit_store.cpp); positions come from
// a sequence (see the header for why under a lock).
const std::vector<pg::Migration> k_migrations = {
    {1,
     "CREATE TABLE audit_devices("
     " device_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, enrollment_id TEXT NOT NULL,"
     " epoch BIGINT NOT NULL, head_seq BIGINT NOT NULL, head_hash TEXT NOT NULL,"
     " first_seen_ms BIGINT NOT NULL, last_seen_ms BIGINT NOT NULL,"
     " records BIGINT NOT NULL, alarms BIGINT NOT NULL);"
     "CREATE SEQUENCE audit_feed_position;"
     "CREATE TABLE audit_log("
     " position BIGINT PRIMARY KEY, device_id TEXT NOT NULL, epoch BIGINT NOT NULL DEFAULT 0, seq BIGINT,"
     " hash TEXT, type TEXT NOT NULL, line TEXT NOT NULL);"
     "CREATE UNIQUE INDEX audit_log_key ON audit_log(device_id, epoch, seq);"},
};

constexpr const char* k_device_cols =
    "device_id, public_key, enrollment_id, epoch, head_seq, head_hash, first_seen_ms, last_seen_ms, records, alarms";

DeviceRow read_device(const PgResult& r, int row) {
  DeviceRow d;
  d.device_id = pg::cell(r, row, 0);
  d.public_key_hex = pg::cell(r, row, 1);
  d.enrollment_id = pg::cell(r, row, 2);
  d.epoch = static_cast<uint64_t>(pg::cell_i64(r, row, 3));
  d.head_seq = static_cast<uint64_t>(pg::cell_i64(r, row, 4));
  d.head_hash = pg::cell(r, row, 5);
  d.first_seen_ms = pg::cell_i64(r, row, 6);
  d.last_seen_ms = pg::cell_i64(r, row, 7);
  d.records = static_cast<uint64_t>(pg::cell_i64(r, row, 8));
  d.alarms = static_cast<uint64_t>(pg::cell_i64(r, row, 9));
  return d;
}

const std::string k_select_device = std::string("SELECT ") + k_device_cols + " FROM audit_devices WHERE device_id = $1";
const std::string k_upsert_device =
    std::string("INSERT INTO audit_devices(") + k_device_cols +
    ") VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (device_id) DO UPDATE SET"
    " public_key = EXCLUDED.public_key, enrollment_id = EXCLUDED.enrollment_id, epoch = EXCLUDED.epoch,"
    " head_seq = EXCLUDED.head_seq, head_hash = EXCLUDED.head_hash, first_seen_ms = EXCLUDED.first_seen_ms,"
    " last_seen_ms = EXCLUDED.last_seen_ms, records = EXCLUDED.records, alarms = EXCLUDED.alarms";
// A batch's rows in one statement. Feed position = (the transaction's id << 20) + the row's
// ordinal: positions follow transaction ids, so the readers' horizon (read_after) can tell when
// every smaller position is final. seq -1 and hash "" stand for NULL (central events).
constexpr int k_ordinal_bits = 20;  // rows per transaction < 2^20 (batches are capped far below)
constexpr const char* k_insert_rows =
    "INSERT INTO audit_log(position, device_id, epoch, seq, hash, type, line)"
    " SELECT pg_current_xact_id()::text::bigint * 1048576 + o, $1, e, NULLIF(s, -1), NULLIF(h, ''), t, l"
    " FROM unnest($2::int8[], $3::int8[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(e, s, h, t, l, o)"
    " RETURNING position";
// The feed's horizon: positions below it belong to transactions that have all ended, so no row
// below it can still appear. Read in its own statement, before the rows (an earlier snapshot).
constexpr const char* k_horizon = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint * 1048576";

// Rows buffered by one transaction, written at its end.
struct PendingRow {
  int64_t epoch;
  int64_t seq;  // -1: a central event
  std::string hash, type, line;
};

class PgDeviceTxn final : public DeviceTxn {
public:
  PgDeviceTxn(pg::Connection& c, const std::string& device_id) : m_c(c), m_device_id(device_id) {}

  Result<std::optional<DeviceRow>> device() override {
    Params p;
    p.text(m_device_id);
    GW_TRY(r, m_c.run("audit_get_device", k_select_device.c_str(), p, "reading the device"));
    if (PQntuples(r.get()) == 0) return std::optional<DeviceRow>();
    return std::optional<DeviceRow>(read_device(r, 0));
  }
  Status put_device(const DeviceRow& d) override {
    Params p;
    p.text(d.device_id).text(d.public_key_hex).text(d.enrollment_id).u64(d.epoch).u64(d.head_seq).text(d.head_hash);
    p.i64(d.first_seen_ms).i64(d.last_seen_ms).u64(d.records).u64(d.alarms);
    GW_TRY(r, m_c.run("audit_put_device", k_upsert_device.c_str(), p, "storing the device"));
    (void)r;
    return {};
  }
  Result<std::optional<std::string>> stored_hash(uint64_t epoch, uint64_t seq) override {
    if (auto it = m_pending_keys.find({epoch, seq}); it != m_pending_keys.end())
      return std::optional<std::string>(m_pending[it->second].hash);
    Params p;
    p.text(m_device_id).u64(epoch).u64(seq);
    GW_TRY(r, m_c.run("audit_stored_hash",
                      "SELECT hash FROM audit_log WHERE device_id = $1 AND epoch = $2 AND seq = $3", p,
                      "reading a stored record"));
    if (PQntuples(r.get()) == 0) return std::optional<std::string>();
    return std::optional<std::string>(pg::cell(r, 0, 0));
  }
  Status insert_record(uint64_t epoch, const RecordRow& row) override {
    m_pending_keys[{epoch, row.seq}] = m_pending.size();
    m_pending.push_back({static_cast<int64_t>(epoch), static_cast<int64_t>(row.seq), row.hash, row.type, row.line});
    return {};
  }
  Status insert_event(const std::string& json) override {
    m_pending.push_back({0, -1, "", "central", json});
    return {};
  }

  // Writes the buffered rows in one statement; returns the highest position (0: none).
  Result<uint64_t> flush() {
    if (m_pending.empty()) return uint64_t{0};
    if (m_pending.size() >= (size_t{1} << k_ordinal_bits)) return fail(Errc::invalid_argument, "too many records in one batch");
    std::vector<int64_t> epochs, seqs;
    std::vector<std::string_view> hashes, types, lines;
    for (const auto& r : m_pending) {
      epochs.push_back(r.epoch);
      seqs.push_back(r.seq);
      hashes.push_back(r.hash);
      types.push_back(r.type);
      lines.push_back(r.line);
    }
    Params p;
    p.text(m_device_id).i64_array(epochs).i64_array(seqs).text_array(hashes).text_array(types).text_array(lines);
    GW_TRY(r, m_c.run("audit_insert_rows", k_insert_rows, p, "storing audit records"));
    uint64_t last = 0;
    for (int i = 0; i < PQntuples(r.get()); ++i) last = std::max(last, static_cast<uint64_t>(pg::cell_i64(r, i, 0)));
    Params n;
    n.text(k_channel).text(std::to_string(last));
    GW_TRY(nr, m_c.run("audit_notify", "SELECT pg_notify($1, $2)", n, "announcing new records"));
    (void)nr;
    return last;
  }

private:
  pg::Connection& m_c;
  const std::string& m_device_id;
  std::vector<PendingRow> m_pending;
  std::map<std::pair<uint64_t, uint64_t>, size_t> m_pending_keys;
};

}  // namespace

Result<std::unique_ptr<PgAuditStore>> PgAuditStore::open(std::shared_ptr<pg::Pool> pool) {
  GW_CHECK(pg::migrate(*pool, "audit", k_migrations));
  std::unique_ptr<PgAuditStore> s(new PgAuditStore(std::move(pool)));
  {
    GW_TRY(c, s->m_pool->acquire());
    Params none;
    GW_TRY(r, c->run_once("SELECT COALESCE(MAX(position), 0) FROM audit_log", none, "reading the feed position"));
    s->m_last_position = static_cast<uint64_t>(pg::cell_i64(r, 0, 0));
  }
  if (::pipe(s->m_wake) != 0) return fail(Errc::io, "cannot create the feed listener's pipe");
  s->m_listener = std::thread([p = s.get()] { p->listen_loop(); });
  return s;
}

PgAuditStore::~PgAuditStore() {
  m_stop = true;
  if (m_wake[1] >= 0) (void)::write(m_wake[1], "x", 1);
  if (m_listener.joinable()) m_listener.join();
  for (int fd : m_wake)
    if (fd >= 0) ::close(fd);
}

void PgAuditStore::saw_position(uint64_t position) {
  {
    std::lock_guard lock(m_feed_mu);
    if (position <= m_last_position) return;
    m_last_position = position;
  }
  m_feed_cv.notify_all();
}

// Keeps a LISTEN connection; reconnects after a failure, waiting up to a second (or the stop
// signal) between attempts, and re-reads the newest position after each (re)connect.
void PgAuditStore::listen_loop() {
  while (!m_stop) {
    auto conn = pg::Connection::open(m_pool->conninfo());
    bool ok = conn.has_value() && (*conn)->exec("LISTEN gw_audit_feed", "listening for new records").has_value();
    if (ok) {
      Params none;
      auto r = (*conn)->run_once("SELECT COALESCE(MAX(position), 0) FROM audit_log", none, "reading the feed position");
      if (r) saw_position(static_cast<uint64_t>(pg::cell_i64(*r, 0, 0)));
    }
    while (ok && !m_stop) {
      pollfd fds[2] = {{PQsocket((*conn)->raw()), POLLIN, 0}, {m_wake[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents) return;
      if (!PQconsumeInput((*conn)->raw())) break;
      while (PGnotify* n = PQnotifies((*conn)->raw())) {
        saw_position(std::strtoull(n->extra, nullptr, 10));
        PQfreemem(n);
      }
    }
    if (m_stop) return;
    pollfd wake = {m_wake[0], POLLIN, 0};
    if (::poll(&wake, 1, 1000) > 0) return;
  }
}

Status PgAuditStore::transact(const std::string& device_id, const std::function<Status(DeviceTxn&)>& fn) {
  uint64_t last = 0;
  GW_CHECK(m_pool->transaction([&](pg::Connection& c) -> Status {
    Params lock;
    lock.i64(pg::k_lock_device).text(device_id);
    GW_TRY(l, c.run("audit_device_lock", "SELECT pg_advisory_xact_lock($1::int, hashtext($2))", lock,
                    "locking the device"));
    (void)l;
    PgDeviceTxn txn(c, device_id);
    GW_CHECK(fn(txn));
    GW_TRY(pos, txn.flush());
    last = pos;
    return {};
  }));
  if (last) saw_position(last);
  return {};
}

Result<std::optional<DeviceRow>> PgAuditStore::find_device(const std::string& device_id) {
  return m_pool->read([&](pg::Connection& c) -> Result<std::optional<DeviceRow>> {
    Params p;
    p.text(device_id);
    GW_TRY(r, c.run("audit_get_device", k_select_device.c_str(), p, "reading devices"));
    if (PQntuples(r.get()) == 0) return std::optional<DeviceRow>();
    return std::optional<DeviceRow>(read_device(r, 0));
  });
}

Result<std::vector<DeviceRow>> PgAuditStore::devices() {
  return m_pool->read([&](pg::Connection& c) -> Result<std::vector<DeviceRow>> {
    Params p;
    std::string sql = std::string("SELECT ") + k_device_cols + " FROM audit_devices ORDER BY device_id";
    GW_TRY(r, c.run_once(sql.c_str(), p, "reading devices"));
    std::vector<DeviceRow> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(read_device(r, i));
    return out;
  });
}

Result<std::vector<RecordRow>> PgAuditStore::records(const std::string& device_id, uint64_t epoch, uint64_t from,
                                                     uint64_t to) {
  return m_pool->read([&](pg::Connection& c) -> Result<std::vector<RecordRow>> {
    Params p;
    p.text(device_id).u64(epoch).u64(from).u64(to);
    GW_TRY(r, c.run("audit_records",
                    "SELECT seq, hash, type, line FROM audit_log WHERE device_id = $1 AND epoch = $2"
                    " AND seq BETWEEN $3 AND $4 ORDER BY seq",
                    p, "reading records"));
    std::vector<RecordRow> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back(RecordRow{static_cast<uint64_t>(pg::cell_i64(r, i, 0)), pg::cell(r, i, 1), pg::cell(r, i, 2),
                              pg::cell(r, i, 3)});
    return out;
  });
}

Result<uint64_t> PgAuditStore::count_records() {
  return m_pool->read([&](pg::Connection& c) -> Result<uint64_t> {
    Params p;
    GW_TRY(r, c.run("audit_count", "SELECT COUNT(*) FROM audit_log WHERE seq IS NOT NULL", p, "counting records"));
    return static_cast<uint64_t>(pg::cell_i64(r, 0, 0));
  });
}

Result<std::vector<siem::FeedEvent>> PgAuditStore::read_after(uint64_t after, size_t max) {
  return m_pool->read([&](pg::Connection& c) -> Result<std::vector<siem::FeedEvent>> {
    Params none;
    GW_TRY(h, c.run("audit_horizon", k_horizon, none, "reading the feed horizon"));
    uint64_t horizon = static_cast<uint64_t>(pg::cell_i64(h, 0, 0));
    Params p;
    p.u64(after).u64(horizon).u64(max);
    // Checkpoints are chain evidence, not events: the feed leaves them out.
    GW_TRY(r, c.run("audit_feed",
                    "SELECT position, line FROM audit_log WHERE position > $1 AND position < $2"
                    " AND type <> 'checkpoint' ORDER BY position LIMIT $3",
                    p, "reading the feed"));
    std::vector<siem::FeedEvent> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back({static_cast<uint64_t>(pg::cell_i64(r, i, 0)), pg::cell(r, i, 1)});
    // Nothing final yet although newer rows were announced: an older transaction is still open.
    if (out.empty() && m_last_position.load() > after) m_held_at = after;
    return out;
  });
}

bool PgAuditStore::wait_for_new(uint64_t after, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_feed_mu);
  if (m_held_at.exchange(k_not_held) == after) {
    // read_after found the announced rows not final yet: give the open transaction a moment (or
    // the next announcement) instead of having the caller read again at once.
    uint64_t seen = m_last_position.load();
    m_feed_cv.wait_for(lock, std::min(timeout, std::chrono::milliseconds(10)), [&] { return m_last_position.load() > seen; });
    return m_last_position.load() > after;
  }
  return m_feed_cv.wait_for(lock, timeout, [&] { return m_last_position.load() > after; });
}

}  // namespace gw::storage
