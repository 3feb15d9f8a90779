#pragma once
// Incremental scanning: agents resend the whole conversation every turn, so the findings of each
// content block (a message, an input item, a tool definition...) are remembered by a keyed hash of
// its exact bytes. Turn N then scans only what is new.
//
// ScanCache is per agent session, bounded (LRU by entries and by cached bytes of findings), and
// thread-safe: concurrent requests of one session may share it. Entries are keyed together with
// the Scanner's generation, so a policy reload never reuses stale results.
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/scan/scanner.hpp"

namespace gw::scan {

// A 64-bit hash of data under a per-process random seed (so collisions cannot be prepared in
// advance); fast enough to hash every block of a large body (several GB/s).
uint64_t block_hash(std::string_view data, uint64_t salt);

class ScanCache {
public:
  explicit ScanCache(size_t max_entries = 8192);

  // The findings remembered for key (offsets relative to the block), or nullopt.
  std::optional<std::vector<Finding>> get(uint64_t key);
  void put(uint64_t key, std::vector<Finding> findings);

  size_t size() const;
  uint64_t hits() const;
  uint64_t misses() const;

private:
  struct Entry {
    uint64_t key;
    std::vector<Finding> findings;
  };
  mutable std::mutex m_mutex;
  size_t m_max_entries;
  std::list<Entry> m_lru;  // most recent first
  std::unordered_map<uint64_t, std::list<Entry>::iterator> m_index;
  uint64_t m_hits = 0, m_misses = 0;
};

// One ScanCache per agent session, the least recently used sessions evicted beyond max_sessions.
class SessionScanCaches {
public:
  explicit SessionScanCaches(size_t max_sessions = 256, size_t entries_per_session = 8192);
  std::shared_ptr<ScanCache> for_session(std::string_view session_id);
  void drop(std::string_view session_id);

private:
  std::mutex m_mutex;
  size_t m_max_sessions, m_entries;
  std::list<std::pair<std::string, std::shared_ptr<ScanCache>>> m_lru;
  std::unordered_map<std::string, decltype(m_lru)::iterator> m_index;
};

}  // namespace gw::scan
