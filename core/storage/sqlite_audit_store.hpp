#pragma once
// AuditStore on SQLite: one file, WAL, one write connection (transactions serialized by a mutex,
// statements prepared once) and one read connection for the feed and views, so SIEM readers
// never wait behind an ingest commit.
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>

#include "core/storage/audit_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace gw::storage {

class SqliteAuditStore final : public AuditStore {
public:
  // Opens or creates the database (and its parent directory) with the schema.
  static Result<std::unique_ptr<SqliteAuditStore>> open(const std::filesystem::path& file);
  ~SqliteAuditStore() override;

  Status transact(const std::string& device_id, const std::function<Status(DeviceTxn&)>& fn) override;
  Result<std::optional<DeviceRow>> find_device(const std::string& device_id) override;
  Result<std::vector<DeviceRow>> devices() override;
  Result<std::vector<RecordRow>> records(const std::string& device_id, uint64_t epoch, uint64_t from,
                                         uint64_t to) override;
  Result<uint64_t> count_records() override;
  Result<std::vector<SpendRow>> spend(const SpendQuery& query) override;
  Result<std::vector<StoredEvent>> query_events(const AuditQuery& query) override;

  Result<std::vector<siem::FeedEvent>> read_after(uint64_t after, size_t max) override;
  bool wait_for_new(uint64_t after, std::chrono::milliseconds timeout) override;

  struct Statements;

private:
  SqliteAuditStore() = default;
  std::mutex m_write_mu;
  sqlite3* m_db = nullptr;
  std::unique_ptr<Statements> m_st;
  std::mutex m_read_mu;
  sqlite3* m_read = nullptr;
  std::mutex m_feed_mu;
  std::condition_variable m_feed_cv;
  std::atomic<uint64_t> m_last_position{0};
};

}  // namespace gw::storage
