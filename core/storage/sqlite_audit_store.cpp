#include "core/storage/sqlite_audit_store.hpp"

#include "core/storage/sqlite_util.hpp"

namespace gw::storage {
namespace fs = std::filesystem;

namespace {

// One table holds every device record and every central event, in ingest order: `position` is
// the feed position. Device records are unique per (device_id, epoch, seq); central events
// (alarms) have no seq.
constexpr const char* k_schema =
    "CREATE TABLE IF NOT EXISTS audit_log("
    " position INTEGER PRIMARY KEY AUTOINCREMENT,"
    " device_id TEXT NOT NULL, epoch INTEGER NOT NULL DEFAULT 0, seq INTEGER,"
    " hash TEXT, type TEXT NOT NULL, line TEXT NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS audit_log_key ON audit_log(device_id, epoch, seq);"
    "CREATE TABLE IF NOT EXISTS devices("
    " device_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, enrollment_id TEXT NOT NULL,"
    " epoch INTEGER NOT NULL, head_seq INTEGER NOT NULL, head_hash TEXT NOT NULL,"
    " first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL,"
    " records INTEGER NOT NULL, alarms INTEGER NOT NULL);";

constexpr const char* k_device_cols =
    "device_id, public_key, enrollment_id, epoch, head_seq, head_hash, first_seen_ms, last_seen_ms, records, alarms";

DeviceRow read_device(Stmt& s) {
  DeviceRow d;
  d.device_id = s.text(0);
  d.public_key_hex = s.text(1);
  d.enrollment_id = s.text(2);
  d.epoch = static_cast<uint64_t>(s.i64(3));
  d.head_seq = static_cast<uint64_t>(s.i64(4));
  d.head_hash = s.text(5);
  d.first_seen_ms = s.i64(6);
  d.last_seen_ms = s.i64(7);
  d.records = static_cast<uint64_t>(s.i64(8));
  d.alarms = static_cast<uint64_t>(s.i64(9));
  return d;
}

Result<sqlite3*> open_db(const fs::path& file) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    Error e = sqlite_error(db, "cannot open the central store " + file.string());
    sqlite3_close(db);
    return std::unexpected(e);
  }
  sqlite3_busy_timeout(db, 10000);
  return db;
}

}  // namespace

struct SqliteAuditStore::Statements {
  Stmt begin, commit, rollback, get_device, put_device, stored_hash, insert_record, insert_event;
};

// The write transaction handed to ingest: the statements of the write connection.
class SqliteDeviceTxn final : public DeviceTxn {
public:
  SqliteDeviceTxn(sqlite3* db, SqliteAuditStore::Statements& st, const std::string& device_id)
      : m_db(db), m_st(st), m_device_id(device_id) {}

  Result<std::optional<DeviceRow>> device() override {
    Stmt& s = m_st.get_device;
    s.reset();
    s.bind(1, m_device_id);
    int rc = s.step();
    if (rc == SQLITE_ROW) return std::optional<DeviceRow>(read_device(s));
    if (rc == SQLITE_DONE) return std::optional<DeviceRow>();
    return std::unexpected(sqlite_error(m_db, "reading the device"));
  }
  Status put_device(const DeviceRow& d) override {
    Stmt& s = m_st.put_device;
    s.reset();
    s.bind(1, d.device_id);
    s.bind(2, d.public_key_hex);
    s.bind(3, d.enrollment_id);
    s.bind(4, d.epoch);
    s.bind(5, d.head_seq);
    s.bind(6, d.head_hash);
    s.bind(7, d.first_seen_ms);
    s.bind(8, d.last_seen_ms);
    s.bind(9, d.records);
    s.bind(10, d.alarms);
    if (s.step() != SQLITE_DONE) return std::unexpected(sqlite_error(m_db, "storing the device"));
    return {};
  }
  Result<std::optional<std::string>> stored_hash(uint64_t epoch, uint64_t seq) override {
    Stmt& s = m_st.stored_hash;
    s.reset();
    s.bind(1, m_device_id);
    s.bind(2, epoch);
    s.bind(3, seq);
    int rc = s.step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(s.text(0));
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return std::unexpected(sqlite_error(m_db, "reading a stored record"));
  }
  Status insert_record(uint64_t epoch, const RecordRow& r) override {
    Stmt& s = m_st.insert_record;
    s.reset();
    s.bind(1, m_device_id);
    s.bind(2, epoch);
    s.bind(3, r.seq);
    s.bind(4, r.hash);
    s.bind(5, r.type);
    s.bind(6, r.line);
    if (s.step() != SQLITE_DONE) return std::unexpected(sqlite_error(m_db, "storing a record"));
    m_inserted = true;
    return {};
  }
  Status insert_event(const std::string& json) override {
    Stmt& s = m_st.insert_event;
    s.reset();
    s.bind(1, m_device_id);
    s.bind(2, json);
    if (s.step() != SQLITE_DONE) return std::unexpected(sqlite_error(m_db, "storing a central event"));
    m_inserted = true;
    return {};
  }
  bool inserted() const { return m_inserted; }

private:
  sqlite3* m_db;
  SqliteAuditStore::Statements& m_st;
  const std::string& m_device_id;
  bool m_inserted = false;
};

Result<std::unique_ptr<SqliteAuditStore>> SqliteAuditStore::open(const fs::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  std::unique_ptr<SqliteAuditStore> s(new SqliteAuditStore());
  GW_TRY(db, open_db(file));
  s->m_db = db;
  GW_CHECK(exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", "configuring " + file.string()));
  GW_CHECK(exec(db, k_schema, "creating the schema of " + file.string()));
  GW_TRY(rdb, open_db(file));
  s->m_read = rdb;
  s->m_st = std::make_unique<Statements>();
  auto& st = *s->m_st;
  auto prep = [&](Stmt& stmt, const std::string& sql) -> Status {
    if (!stmt.prepare(db, sql)) return std::unexpected(sqlite_error(db, "preparing a statement"));
    return {};
  };
  GW_CHECK(prep(st.begin, "BEGIN IMMEDIATE"));
  GW_CHECK(prep(st.commit, "COMMIT"));
  GW_CHECK(prep(st.rollback, "ROLLBACK"));
  GW_CHECK(prep(st.get_device, std::string("SELECT ") + k_device_cols + " FROM devices WHERE device_id = ?1"));
  GW_CHECK(prep(st.put_device, std::string("INSERT OR REPLACE INTO devices(") + k_device_cols +
                                   ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"));
  GW_CHECK(prep(st.stored_hash, "SELECT hash FROM audit_log WHERE device_id = ?1 AND epoch = ?2 AND seq = ?3"));
  GW_CHECK(prep(st.insert_record,
                "INSERT INTO audit_log(device_id, epoch, seq, hash, type, line) VALUES(?1,?2,?3,?4,?5,?6)"));
  GW_CHECK(prep(st.insert_event, "INSERT INTO audit_log(device_id, type, line) VALUES(?1, 'central', ?2)"));
  Stmt last(db, "SELECT COALESCE(MAX(position), 0) FROM audit_log");
  if (last.ok() && last.step() == SQLITE_ROW) s->m_last_position = static_cast<uint64_t>(last.i64(0));
  return s;
}

SqliteAuditStore::~SqliteAuditStore() {
  m_st.reset();
  if (m_db) sqlite3_close(m_db);
  if (m_read) sqlite3_close(m_read);
}

Status SqliteAuditStore::transact(const std::string& device_id, const std::function<Status(DeviceTxn&)>& fn) {
  std::lock_guard lock(m_write_mu);
  auto& st = *m_st;
  st.begin.reset();
  if (st.begin.step() != SQLITE_DONE) return std::unexpected(sqlite_error(m_db, "starting a transaction"));
  SqliteDeviceTxn txn(m_db, st, device_id);
  Status r = fn(txn);
  if (!r) {
    st.rollback.reset();
    st.rollback.step();
    return r;
  }
  st.commit.reset();
  if (st.commit.step() != SQLITE_DONE) {
    Error e = sqlite_error(m_db, "committing audit records");
    st.rollback.reset();
    st.rollback.step();
    return std::unexpected(e);
  }
  if (txn.inserted()) {
    {
      std::lock_guard fl(m_feed_mu);
      m_last_position = static_cast<uint64_t>(sqlite3_last_insert_rowid(m_db));
    }
    m_feed_cv.notify_all();
  }
  return {};
}

Result<std::optional<DeviceRow>> SqliteAuditStore::find_device(const std::string& device_id) {
  std::lock_guard lock(m_read_mu);
  Stmt s(m_read, std::string("SELECT ") + k_device_cols + " FROM devices WHERE device_id = ?1");
  if (!s.ok()) return std::unexpected(sqlite_error(m_read, "reading devices"));
  s.bind(1, device_id);
  if (s.step() == SQLITE_ROW) return std::optional<DeviceRow>(read_device(s));
  return std::optional<DeviceRow>();
}

Result<std::vector<DeviceRow>> SqliteAuditStore::devices() {
  std::lock_guard lock(m_read_mu);
  Stmt s(m_read, std::string("SELECT ") + k_device_cols + " FROM devices ORDER BY device_id");
  if (!s.ok()) return std::unexpected(sqlite_error(m_read, "reading devices"));
  std::vector<DeviceRow> out;
  while (s.step() == SQLITE_ROW) out.push_back(read_device(s));
  return out;
}

Result<std::vector<RecordRow>> SqliteAuditStore::records(const std::string& device_id, uint64_t epoch,
                                                         uint64_t from, uint64_t to) {
  std::lock_guard lock(m_read_mu);
  Stmt s(m_read,
         "SELECT seq, hash, type, line FROM audit_log WHERE device_id = ?1 AND epoch = ?2 AND seq BETWEEN ?3 AND ?4 "
         "ORDER BY seq");
  if (!s.ok()) return std::unexpected(sqlite_error(m_read, "reading records"));
  s.bind(1, device_id);
  s.bind(2, epoch);
  s.bind(3, from);
  s.bind(4, to);
  std::vector<RecordRow> out;
  while (s.step() == SQLITE_ROW)
    out.push_back(RecordRow{static_cast<uint64_t>(s.i64(0)), s.text(1), s.text(2), s.text(3)});
  return out;
}

Result<uint64_t> SqliteAuditStore::count_records() {
  std::lock_guard lock(m_read_mu);
  Stmt s(m_read, "SELECT COUNT(*) FROM audit_log WHERE seq IS NOT NULL");
  if (!s.ok() || s.step() != SQLITE_ROW) return std::unexpected(sqlite_error(m_read, "counting records"));
  return static_cast<uint64_t>(s.i64(0));
}

Result<std::vector<siem::FeedEvent>> SqliteAuditStore::read_after(uint64_t after, size_t max) {
  std::lock_guard lock(m_read_mu);
  // Checkpoints are chain evidence, not events: the feed leaves them out.
  Stmt s(m_read,
         "SELECT position, line FROM audit_log WHERE position > ?1 AND type != 'checkpoint' ORDER BY position LIMIT ?2");
  if (!s.ok()) return std::unexpected(sqlite_error(m_read, "reading the feed"));
  s.bind(1, after);
  s.bind(2, static_cast<int64_t>(max));
  std::vector<siem::FeedEvent> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back({static_cast<uint64_t>(s.i64(0)), s.text(1)});
  if (rc != SQLITE_DONE) return std::unexpected(sqlite_error(m_read, "reading the feed"));
  return out;
}

bool SqliteAuditStore::wait_for_new(uint64_t after, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_feed_mu);
  return m_feed_cv.wait_for(lock, timeout, [&] { return m_last_position.load() > after; });
}

}  // namespace gw::storage
