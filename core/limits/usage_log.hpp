#pragma once
// Per-request usage records for `gw usage`: who used which model, how many tokens, at what cost.
// Stored in SQLite (WAL) next to the spend counters (`spend.db` in the state dir by convention).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/common/result.hpp"
#include "core/common/write_behind.hpp"
#include "core/config/prices.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace gw::limits {

struct UsageRow {
  int64_t ts_ms = 0;
  std::string key, team, provider, model, agent;
  config::Usage usage;
  int64_t cost_nano_usd = 0;
};

// One line of a `gw usage` table: the group's value and its sums.
struct UsageSummary {
  std::string group;  // model name, UTC day "2026-11-24", agent, or key
  int64_t requests = 0;
  config::Usage usage;
  int64_t cost_nano_usd = 0;
};

enum class UsageGroup { model, day, agent, key };

class UsageLog {
public:
  static gw::Result<std::unique_ptr<UsageLog>> open(const std::filesystem::path& file);
  ~UsageLog();
  // Queues one record and returns at once; a writer thread commits queued records in batches
  // (write-behind). Thread-safe. A failed write is logged; spend is not affected.
  gw::Status record(const UsageRow& row);
  // Sums of records at or after `since_ms`, grouped, largest cost first.
  gw::Result<std::vector<UsageSummary>> summarize(UsageGroup group, int64_t since_ms);

private:
  UsageLog() = default;
  void write_batch(const std::vector<UsageRow>& rows);
  std::mutex m_mutex;
  sqlite3* m_db = nullptr;
  sqlite3_stmt* m_insert = nullptr;
  // Rows are taken at once (no batching deadline, ADR 0059): `gw usage` reads spend.db directly,
  // right after a request, and must see it.
  WriteBehind<UsageRow> m_writer{[this](const std::vector<UsageRow>& r) { write_batch(r); },
                                 WriteBehindOptions{.max_delay = std::chrono::milliseconds(0)}};  // last member
};

}  // namespace gw::limits
