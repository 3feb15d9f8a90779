#pragma once
// KeyDirectory on SQLite: tables vkeys, teams, directory_meta (the revision counter) and
// directory_tombstones in the central database file, next to the audit log. One write
// connection (BEGIN IMMEDIATE, serialized by a mutex: the revision counter is bumped inside each
// write transaction) and one read connection, so reads never wait behind a write.
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>

#include "core/storage/key_directory.hpp"

struct sqlite3;

namespace gw::storage {

class SqliteKeyDirectory final : public KeyDirectory {
public:
  // Opens or creates the database file (and its parent directory) with the directory schema.
  static Result<std::unique_ptr<SqliteKeyDirectory>> open(const std::filesystem::path& file);
  ~SqliteKeyDirectory() override;

  Result<uint64_t> revision() override;
  Result<KeyRecord> create_key(const KeyRecord& rec) override;
  Result<std::optional<KeyRecord>> get_key(const std::string& id) override;
  Result<std::vector<KeyRecord>> list_keys(const KeyFilter& filter) override;
  Result<std::optional<KeyRecord>> find_by_secret_hash(const std::string& secret_hash) override;
  Result<KeyRecord> update_key(const KeyRecord& rec, std::optional<uint64_t> if_revision) override;
  Result<KeyRecord> rotate_key(const std::string& id, const std::string& new_secret_hash, int64_t at_ms) override;
  Result<KeyRecord> revoke_key(const std::string& id, const std::string& actor, const std::string& reason,
                               int64_t at_ms) override;
  Status delete_key(const std::string& id) override;
  Result<TeamRecord> create_team(const TeamRecord& rec) override;
  Result<std::optional<TeamRecord>> get_team(const std::string& id) override;
  Result<std::vector<TeamRecord>> list_teams() override;
  Result<TeamRecord> update_team(const TeamRecord& rec, std::optional<uint64_t> if_revision) override;
  Status delete_team(const std::string& id) override;
  Result<DirectoryChanges> changes_since(uint64_t after) override;

private:
  SqliteKeyDirectory() = default;
  // Runs fn inside BEGIN IMMEDIATE ... COMMIT on the write connection; rolls back on error.
  Status write(const std::function<Status(sqlite3*)>& fn);
  std::mutex m_write_mu;
  sqlite3* m_db = nullptr;
  std::mutex m_read_mu;
  sqlite3* m_read = nullptr;
};

}  // namespace gw::storage
