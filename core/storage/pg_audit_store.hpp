#pragma once
// AuditStore on PostgreSQL, for several `gw serve` replicas sharing one database.
//
// Correct whichever replica a batch reaches:
//   - a device's transactions are serialized by a transaction-scoped advisory lock on the device
//     id, taken first, so the chain checks of server/ingest.cpp read the head the previous batch
//     (from any replica) committed; the records' unique key (device_id, epoch, seq) backs it up.
//   - a feed position is (the writing transaction's id << 20) + the row's ordinal, and readers
//     only read below a horizon: the oldest transaction id still open when they look, shifted the
//     same way. Every position below the horizon is final (its transaction ended), so a SIEM
//     reader (of any replica) that has read up to N never later finds a new event below N; and
//     no lock is held across commits, so commits of different devices proceed in parallel. A
//     batch's rows are written in one statement at the end of its transaction.
//   - wait_for_new wakes on LISTEN/NOTIFY: a commit on another replica wakes this one's readers.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/storage/audit_store.hpp"
#include "core/storage/pg_pool.hpp"

namespace gw::storage {

class PgAuditStore final : public AuditStore {
public:
  // Creates or migrates the schema and starts the feed listener (its own connection).
  static Result<std::unique_ptr<PgAuditStore>> open(std::shared_ptr<pg::Pool> pool);
  ~PgAuditStore() override;

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

private:
  explicit PgAuditStore(std::shared_ptr<pg::Pool> pool) : m_pool(std::move(pool)) {}
  void listen_loop();
  void saw_position(uint64_t position);
  std::shared_ptr<pg::Pool> m_pool;
  std::mutex m_feed_mu;
  std::condition_variable m_feed_cv;
  std::atomic<uint64_t> m_last_position{0};
  static constexpr uint64_t k_not_held = ~uint64_t{0};
  std::atomic<uint64_t> m_held_at{k_not_held};  // read_after(after) found announced rows not final yet
  std::atomic<bool> m_stop{false};
  int m_wake[2] = {-1, -1};  // a byte written to m_wake[1] stops the listener
  std::thread m_listener;
};

}  // namespace gw::storage
