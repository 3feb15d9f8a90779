#pragma once
// Durable spend counters. The admission controller keeps the authoritative counters in memory and
// writes every settled charge through to a SpendStore, so spend survives restarts; on first use
// of an account (and at each period boundary) it reads the current period back.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/common/result.hpp"
#include "core/common/write_behind.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace gw::limits {

class SpendStore {
public:
  virtual ~SpendStore() = default;
  // Spend of `account` in every bucket starting at or after `from_ms`: bucket start -> nano-USD.
  virtual std::map<int64_t, int64_t> load(const std::string& account, int64_t from_ms) = 0;
  // Adds `nano_usd` to the bucket. Thread-safe. An error means the charge is only in memory.
  virtual gw::Status add(const std::string& account, int64_t bucket_start_ms, int64_t nano_usd) = 0;
};

// For tests and for policies without budgets.
class MemorySpendStore final : public SpendStore {
public:
  std::map<int64_t, int64_t> load(const std::string& account, int64_t from_ms) override;
  gw::Status add(const std::string& account, int64_t bucket_start_ms, int64_t nano_usd) override;

private:
  std::mutex m_mutex;
  std::map<std::string, std::map<int64_t, int64_t>> m_rows;
};

// SQLite in WAL mode (file `spend.db` in the state dir by convention). add() queues the charge and
// returns at once; one writer thread commits queued charges in batches (write-behind), so no
// request waits on a commit or a WAL checkpoint. load() and dump() first wait for queued charges.
class SqliteSpendStore final : public SpendStore {
public:
  // Opens or creates the database and its schema.
  static gw::Result<std::unique_ptr<SqliteSpendStore>> open(const std::filesystem::path& file);
  ~SqliteSpendStore() override;
  std::map<int64_t, int64_t> load(const std::string& account, int64_t from_ms) override;
  gw::Status add(const std::string& account, int64_t bucket_start_ms, int64_t nano_usd) override;
  // Every account's rows (for `gw status` when no daemon runs).
  std::map<std::string, std::map<int64_t, int64_t>> dump();

private:
  struct Charge {
    std::string account;
    int64_t bucket_start_ms = 0;
    int64_t nano_usd = 0;
  };
  SqliteSpendStore() = default;
  void write_batch(const std::vector<Charge>& charges);
  std::mutex m_mutex;
  sqlite3* m_db = nullptr;
  sqlite3_stmt* m_load = nullptr;
  sqlite3_stmt* m_add = nullptr;
  WriteBehind<Charge> m_writer{[this](const std::vector<Charge>& c) { write_batch(c); }};  // last member
};

}  // namespace gw::limits
