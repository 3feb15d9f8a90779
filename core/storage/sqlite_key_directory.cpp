#include "core/storage/sqlite_key_directory.hpp"

#include "core/storage/key_directory_json.hpp"
#include "core/storage/sqlite_util.hpp"

namespace gw::storage {
namespace fs = std::filesystem;

namespace {

constexpr const char* k_schema =
    "CREATE TABLE IF NOT EXISTS directory_meta(id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO directory_meta(id, revision) VALUES(1, 0);"
    "CREATE TABLE IF NOT EXISTS vkeys("
    " id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, team TEXT NOT NULL,"
    " enabled INTEGER NOT NULL, expires_at_ms INTEGER, access TEXT NOT NULL, budgets TEXT NOT NULL,"
    " limits TEXT NOT NULL, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,"
    " rotated_at_ms INTEGER NOT NULL, revoked_at_ms INTEGER, revoked_by TEXT NOT NULL,"
    " revoke_reason TEXT NOT NULL, revision INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS vkeys_revision ON vkeys(revision);"
    "CREATE INDEX IF NOT EXISTS vkeys_team ON vkeys(team);"
    "CREATE TABLE IF NOT EXISTS teams("
    " id TEXT PRIMARY KEY, description TEXT NOT NULL, budgets TEXT NOT NULL, limits TEXT NOT NULL,"
    " created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL, revision INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS directory_tombstones("
    " kind TEXT NOT NULL, id TEXT NOT NULL, revision INTEGER NOT NULL, PRIMARY KEY(kind, id));";

constexpr const char* k_key_cols =
    "id, secret_hash, owner, team, enabled, expires_at_ms, access, budgets, limits, created_at_ms, updated_at_ms,"
    " rotated_at_ms, revoked_at_ms, revoked_by, revoke_reason, revision";
constexpr const char* k_team_cols = "id, description, budgets, limits, created_at_ms, updated_at_ms, revision";

KeyRecord read_key(Stmt& s) {
  KeyRecord r;
  r.key.id = s.text(0);
  r.key.secret_hash = s.text(1);
  r.key.owner = s.text(2);
  r.key.team = s.text(3);
  r.key.enabled = s.i64(4) != 0;
  if (sqlite3_column_type(s.get(), 5) != SQLITE_NULL) r.key.expires_at_ms = s.i64(5);
  r.key.access = access_from_text(s.text(6));
  r.key.budgets = budgets_from_text(s.text(7));
  r.key.limits = limits_from_text(s.text(8));
  r.created_at_ms = s.i64(9);
  r.updated_at_ms = s.i64(10);
  r.rotated_at_ms = s.i64(11);
  if (sqlite3_column_type(s.get(), 12) != SQLITE_NULL) r.revoked_at_ms = s.i64(12);
  r.revoked_by = s.text(13);
  r.revoke_reason = s.text(14);
  r.revision = static_cast<uint64_t>(s.i64(15));
  return r;
}

TeamRecord read_team(Stmt& s) {
  TeamRecord t;
  t.id = s.text(0);
  t.description = s.text(1);
  t.budgets = budgets_from_text(s.text(2));
  t.limits = limits_from_text(s.text(3));
  t.created_at_ms = s.i64(4);
  t.updated_at_ms = s.i64(5);
  t.revision = static_cast<uint64_t>(s.i64(6));
  return t;
}

// Rows of `sql` (binding one text or integer parameter) read with `read`.
template <class T, class Bind, class Read>
Result<std::vector<T>> query(sqlite3* db, const std::string& sql, Bind bind, Read read, std::string_view what) {
  Stmt s(db, sql);
  if (!s.ok()) return std::unexpected(sqlite_error(db, what));
  bind(s);
  std::vector<T> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read(s));
  if (rc != SQLITE_DONE) return std::unexpected(sqlite_error(db, what));
  return out;
}

Result<std::optional<KeyRecord>> key_where(sqlite3* db, const char* column, const std::string& value) {
  GW_TRY(rows, query<KeyRecord>(db, std::string("SELECT ") + k_key_cols + " FROM vkeys WHERE " + column + " = ?1",
                                [&](Stmt& s) { s.bind(1, value); }, read_key, "reading keys"));
  if (rows.empty()) return std::optional<KeyRecord>();
  return std::optional<KeyRecord>(std::move(rows.front()));
}

Result<std::optional<TeamRecord>> team_by_id(sqlite3* db, const std::string& id) {
  GW_TRY(rows, query<TeamRecord>(db, std::string("SELECT ") + k_team_cols + " FROM teams WHERE id = ?1",
                                 [&](Stmt& s) { s.bind(1, id); }, read_team, "reading teams"));
  if (rows.empty()) return std::optional<TeamRecord>();
  return std::optional<TeamRecord>(std::move(rows.front()));
}

// Increments the directory revision (inside the caller's write transaction) and returns it.
Result<uint64_t> bump_revision(sqlite3* db) {
  GW_CHECK(exec(db, "UPDATE directory_meta SET revision = revision + 1 WHERE id = 1", "bumping the revision"));
  Stmt s(db, "SELECT revision FROM directory_meta WHERE id = 1");
  if (!s.ok() || s.step() != SQLITE_ROW) return std::unexpected(sqlite_error(db, "reading the revision"));
  return static_cast<uint64_t>(s.i64(0));
}

Status put_key(sqlite3* db, const KeyRecord& r) {
  Stmt s(db, std::string("INSERT OR REPLACE INTO vkeys(") + k_key_cols +
                 ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)");
  if (!s.ok()) return std::unexpected(sqlite_error(db, "storing a key"));
  s.bind(1, r.key.id);
  s.bind(2, r.key.secret_hash);
  s.bind(3, r.key.owner);
  s.bind(4, r.key.team);
  s.bind(5, int64_t{r.key.enabled ? 1 : 0});
  if (r.key.expires_at_ms) s.bind(6, *r.key.expires_at_ms); else s.bind_null(6);
  s.bind(7, access_to_text(r.key.access));
  s.bind(8, budgets_to_text(r.key.budgets));
  s.bind(9, limits_to_text(r.key.limits));
  s.bind(10, r.created_at_ms);
  s.bind(11, r.updated_at_ms);
  s.bind(12, r.rotated_at_ms);
  if (r.revoked_at_ms) s.bind(13, *r.revoked_at_ms); else s.bind_null(13);
  s.bind(14, r.revoked_by);
  s.bind(15, r.revoke_reason);
  s.bind(16, r.revision);
  if (s.step() != SQLITE_DONE) return std::unexpected(sqlite_error(db, "storing a key"));
  return {};
}

Status put_team(sqlite3* db, const TeamRecord& t) {
  Stmt s(db, std::string("INSERT OR REPLACE INTO teams(") + k_team_cols + ") VALUES(?1,?2,?3,?4,?5,?6,?7)");
  if (!s.ok()) return std::unexpected(sqlite_error(db, "storing a team"));
  s.bind(1, t.id);
  s.bind(2, t.description);
  s.bind(3, budgets_to_text(t.budgets));
  s.bind(4, limits_to_text(t.limits));
  s.bind(5, t.created_at_ms);
  s.bind(6, t.updated_at_ms);
  s.bind(7, t.revision);
  if (s.step() != SQLITE_DONE) return std::unexpected(sqlite_error(db, "storing a team"));
  return {};
}

Status set_tombstone(sqlite3* db, const char* kind, const std::string& id, std::optional<uint64_t> revision) {
  Stmt s(db, revision ? "INSERT OR REPLACE INTO directory_tombstones(kind, id, revision) VALUES(?1, ?2, ?3)"
                      : "DELETE FROM directory_tombstones WHERE kind = ?1 AND id = ?2");
  if (!s.ok()) return std::unexpected(sqlite_error(db, "storing a tombstone"));
  s.bind(1, std::string_view(kind));
  s.bind(2, id);
  if (revision) s.bind(3, *revision);
  if (s.step() != SQLITE_DONE) return std::unexpected(sqlite_error(db, "storing a tombstone"));
  return {};
}

Status delete_row(sqlite3* db, const char* table, const std::string& id) {
  Stmt s(db, std::string("DELETE FROM ") + table + " WHERE id = ?1");
  if (!s.ok() || (s.bind(1, id), s.step()) != SQLITE_DONE) return std::unexpected(sqlite_error(db, "deleting"));
  return {};
}

Status team_must_exist(sqlite3* db, const std::string& team) {
  if (team.empty()) return {};
  GW_TRY(t, team_by_id(db, team));
  if (!t) return fail(Errc::invalid_argument, "team '" + team + "' does not exist; create it first (gw admin teams create " + team + ")");
  return {};
}

Status revision_matches(std::optional<uint64_t> expected, uint64_t actual, const std::string& what) {
  if (expected && *expected != actual)
    return fail(Errc::denied, what + " changed since revision " + std::to_string(*expected) + " (now " +
                                    std::to_string(actual) + "); read it again and retry");
  return {};
}

Result<sqlite3*> open_db(const fs::path& file) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    Error e = sqlite_error(db, "cannot open the key directory " + file.string());
    sqlite3_close(db);
    return std::unexpected(e);
  }
  sqlite3_busy_timeout(db, 10000);
  return db;
}

}  // namespace

Result<std::unique_ptr<SqliteKeyDirectory>> SqliteKeyDirectory::open(const fs::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  std::unique_ptr<SqliteKeyDirectory> d(new SqliteKeyDirectory());
  GW_TRY(db, open_db(file));
  d->m_db = db;
  GW_CHECK(exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", "configuring " + file.string()));
  GW_CHECK(exec(db, "BEGIN IMMEDIATE", "creating the key directory schema"));
  if (auto st = exec(db, k_schema, "creating the key directory schema of " + file.string()); !st) {
    (void)exec(db, "ROLLBACK", "");
    return std::unexpected(st.error());
  }
  GW_CHECK(exec(db, "COMMIT", "creating the key directory schema"));
  GW_TRY(rdb, open_db(file));
  d->m_read = rdb;
  return d;
}

SqliteKeyDirectory::~SqliteKeyDirectory() {
  if (m_db) sqlite3_close(m_db);
  if (m_read) sqlite3_close(m_read);
}

Status SqliteKeyDirectory::write(const std::function<Status(sqlite3*)>& fn) {
  std::lock_guard lock(m_write_mu);
  GW_CHECK(exec(m_db, "BEGIN IMMEDIATE", "starting a key directory transaction"));
  Status r = fn(m_db);
  if (r) r = exec(m_db, "COMMIT", "committing a key directory change");
  if (!r) (void)exec(m_db, "ROLLBACK", "");
  return r;
}

Result<uint64_t> SqliteKeyDirectory::revision() {
  std::lock_guard lock(m_read_mu);
  Stmt s(m_read, "SELECT revision FROM directory_meta WHERE id = 1");
  if (!s.ok() || s.step() != SQLITE_ROW) return std::unexpected(sqlite_error(m_read, "reading the revision"));
  return static_cast<uint64_t>(s.i64(0));
}

Result<KeyRecord> SqliteKeyDirectory::create_key(const KeyRecord& rec) {
  KeyRecord out = rec;
  out.revoked_at_ms.reset();
  out.revoked_by.clear();
  out.revoke_reason.clear();
  GW_CHECK(write([&](sqlite3* db) -> Status {
    GW_TRY(existing, key_where(db, "id", rec.key.id));
    if (existing) return fail(Errc::denied, "key '" + rec.key.id + "' already exists");
    GW_TRY(same_secret, key_where(db, "secret_hash", rec.key.secret_hash));
    if (same_secret) return fail(Errc::denied, "another key already has this secret hash");
    GW_CHECK(team_must_exist(db, rec.key.team));
    GW_TRY(rev, bump_revision(db));
    out.revision = rev;
    GW_CHECK(set_tombstone(db, "key", rec.key.id, std::nullopt));
    return put_key(db, out);
  }));
  return out;
}

Result<std::optional<KeyRecord>> SqliteKeyDirectory::get_key(const std::string& id) {
  std::lock_guard lock(m_read_mu);
  return key_where(m_read, "id", id);
}

Result<std::optional<KeyRecord>> SqliteKeyDirectory::find_by_secret_hash(const std::string& secret_hash) {
  std::lock_guard lock(m_read_mu);
  return key_where(m_read, "secret_hash", secret_hash);
}

Result<std::vector<KeyRecord>> SqliteKeyDirectory::list_keys(const KeyFilter& f) {
  std::lock_guard lock(m_read_mu);
  std::string sql = std::string("SELECT ") + k_key_cols + " FROM vkeys WHERE (?1 = '' OR team = ?1)" +
                    (f.include_revoked ? "" : " AND revoked_at_ms IS NULL") + " ORDER BY id";
  return query<KeyRecord>(m_read, sql, [&](Stmt& s) { s.bind(1, f.team); }, read_key, "listing keys");
}

Result<KeyRecord> SqliteKeyDirectory::update_key(const KeyRecord& rec, std::optional<uint64_t> if_revision) {
  KeyRecord out;
  GW_CHECK(write([&](sqlite3* db) -> Status {
    GW_TRY(existing, key_where(db, "id", rec.key.id));
    if (!existing) return fail(Errc::not_found, "no key '" + rec.key.id + "'");
    if (existing->revoked()) return fail(Errc::denied, "key '" + rec.key.id + "' is revoked and cannot be changed; create a new key");
    GW_CHECK(revision_matches(if_revision, existing->revision, "key '" + rec.key.id + "'"));
    GW_CHECK(team_must_exist(db, rec.key.team));
    out = *existing;
    std::string secret = out.key.secret_hash;
    out.key = rec.key;
    out.key.secret_hash = secret;
    out.updated_at_ms = rec.updated_at_ms;
    GW_TRY(rev, bump_revision(db));
    out.revision = rev;
    return put_key(db, out);
  }));
  return out;
}

Result<KeyRecord> SqliteKeyDirectory::rotate_key(const std::string& id, const std::string& new_secret_hash,
                                                 int64_t at_ms) {
  KeyRecord out;
  GW_CHECK(write([&](sqlite3* db) -> Status {
    GW_TRY(existing, key_where(db, "id", id));
    if (!existing) return fail(Errc::not_found, "no key '" + id + "'");
    if (existing->revoked()) return fail(Errc::denied, "key '" + id + "' is revoked and cannot be rotated; create a new key");
    GW_TRY(same_secret, key_where(db, "secret_hash", new_secret_hash));
    if (same_secret) return fail(Errc::denied, "another key already has this secret hash");
    out = *existing;
    out.key.secret_hash = new_secret_hash;
    out.rotated_at_ms = out.updated_at_ms = at_ms;
    GW_TRY(rev, bump_revision(db));
    out.revision = rev;
    return put_key(db, out);
  }));
  return out;
}

Result<KeyRecord> SqliteKeyDirectory::revoke_key(const std::string& id, const std::string& actor,
                                                 const std::string& reason, int64_t at_ms) {
  KeyRecord out;
  GW_CHECK(write([&](sqlite3* db) -> Status {
    GW_TRY(existing, key_where(db, "id", id));
    if (!existing) return fail(Errc::not_found, "no key '" + id + "'");
    out = *existing;
    if (out.revoked()) return {};
    out.revoked_at_ms = at_ms;
    out.updated_at_ms = at_ms;
    out.revoked_by = actor;
    out.revoke_reason = reason;
    GW_TRY(rev, bump_revision(db));
    out.revision = rev;
    return put_key(db, out);
  }));
  return out;
}

Status SqliteKeyDirectory::delete_key(const std::string& id) {
  return write([&](sqlite3* db) -> Status {
    GW_TRY(existing, key_where(db, "id", id));
    if (!existing) return fail(Errc::not_found, "no key '" + id + "'");
    GW_TRY(rev, bump_revision(db));
    GW_CHECK(delete_row(db, "vkeys", id));
    return set_tombstone(db, "key", id, rev);
  });
}

Result<TeamRecord> SqliteKeyDirectory::create_team(const TeamRecord& rec) {
  TeamRecord out = rec;
  GW_CHECK(write([&](sqlite3* db) -> Status {
    GW_TRY(existing, team_by_id(db, rec.id));
    if (existing) return fail(Errc::denied, "team '" + rec.id + "' already exists");
    GW_TRY(rev, bump_revision(db));
    out.revision = rev;
    GW_CHECK(set_tombstone(db, "team", rec.id, std::nullopt));
    return put_team(db, out);
  }));
  return out;
}

Result<std::optional<TeamRecord>> SqliteKeyDirectory::get_team(const std::string& id) {
  std::lock_guard lock(m_read_mu);
  return team_by_id(m_read, id);
}

Result<std::vector<TeamRecord>> SqliteKeyDirectory::list_teams() {
  std::lock_guard lock(m_read_mu);
  return query<TeamRecord>(m_read, std::string("SELECT ") + k_team_cols + " FROM teams ORDER BY id",
                           [](Stmt&) {}, read_team, "listing teams");
}

Result<TeamRecord> SqliteKeyDirectory::update_team(const TeamRecord& rec, std::optional<uint64_t> if_revision) {
  TeamRecord out;
  GW_CHECK(write([&](sqlite3* db) -> Status {
    GW_TRY(existing, team_by_id(db, rec.id));
    if (!existing) return fail(Errc::not_found, "no team '" + rec.id + "'");
    GW_CHECK(revision_matches(if_revision, existing->revision, "team '" + rec.id + "'"));
    out = rec;
    out.created_at_ms = existing->created_at_ms;
    GW_TRY(rev, bump_revision(db));
    out.revision = rev;
    return put_team(db, out);
  }));
  return out;
}

Status SqliteKeyDirectory::delete_team(const std::string& id) {
  return write([&](sqlite3* db) -> Status {
    GW_TRY(existing, team_by_id(db, id));
    if (!existing) return fail(Errc::not_found, "no team '" + id + "'");
    Stmt s(db, "SELECT COUNT(*) FROM vkeys WHERE team = ?1");
    if (!s.ok()) return std::unexpected(sqlite_error(db, "counting the team's keys"));
    s.bind(1, id);
    if (s.step() != SQLITE_ROW) return std::unexpected(sqlite_error(db, "counting the team's keys"));
    if (int64_t n = s.i64(0); n > 0)
      return fail(Errc::denied, "team '" + id + "' still has " + std::to_string(n) +
                                      " key(s) (revoked ones included); move or delete them first");
    GW_TRY(rev, bump_revision(db));
    GW_CHECK(delete_row(db, "teams", id));
    return set_tombstone(db, "team", id, rev);
  });
}

Result<DirectoryChanges> SqliteKeyDirectory::changes_since(uint64_t after) {
  std::lock_guard lock(m_read_mu);
  // One read transaction: the revision and the rows are one consistent snapshot.
  GW_CHECK(exec(m_read, "BEGIN", "reading directory changes"));
  auto body = [&]() -> Result<DirectoryChanges> {
    DirectoryChanges c;
    Stmt s(m_read, "SELECT revision FROM directory_meta WHERE id = 1");
    if (!s.ok() || s.step() != SQLITE_ROW) return std::unexpected(sqlite_error(m_read, "reading the revision"));
    c.revision = static_cast<uint64_t>(s.i64(0));
    auto bind = [&](Stmt& q) { q.bind(1, after); };
    GW_TRY(keys, query<KeyRecord>(m_read, std::string("SELECT ") + k_key_cols + " FROM vkeys WHERE revision > ?1 ORDER BY revision",
                                  bind, read_key, "reading changed keys"));
    GW_TRY(teams, query<TeamRecord>(m_read, std::string("SELECT ") + k_team_cols + " FROM teams WHERE revision > ?1 ORDER BY revision",
                                    bind, read_team, "reading changed teams"));
    auto text0 = [](Stmt& q) { return q.text(0); };
    GW_TRY(dk, query<std::string>(m_read, "SELECT id FROM directory_tombstones WHERE kind = 'key' AND revision > ?1 ORDER BY revision",
                                  bind, text0, "reading deletions"));
    GW_TRY(dt, query<std::string>(m_read, "SELECT id FROM directory_tombstones WHERE kind = 'team' AND revision > ?1 ORDER BY revision",
                                  bind, text0, "reading deletions"));
    c.keys = std::move(keys);
    c.teams = std::move(teams);
    c.deleted_keys = std::move(dk);
    c.deleted_teams = std::move(dt);
    return c;
  };
  auto r = body();
  (void)exec(m_read, "COMMIT", "");
  return r;
}

}  // namespace gw::storage
