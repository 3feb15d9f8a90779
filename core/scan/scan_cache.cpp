#include "core/scan/scan_cache.hpp"

#include <cstring>

#include "core/common/crypto.hpp"

namespace gw::scan {
namespace {

uint64_t process_seed() {
  static const uint64_t seed = [] {
    std::string r = gw::random_bytes(8);
    uint64_t v;
    std::memcpy(&v, r.data(), 8);
    return v;
  }();
  return seed;
}

inline uint64_t mix(uint64_t a, uint64_t b) {
  __uint128_t p = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

}  // namespace

uint64_t block_hash(std::string_view data, uint64_t salt) {
  constexpr uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull,
                     k2 = 0x8ebc6af09c88c6e3ull, k3 = 0x589965cc75374cc3ull;
  uint64_t seed = process_seed() ^ mix(salt ^ k0, k1);
  const char* p = data.data();
  size_t n = data.size();
  uint64_t a = seed ^ k2, b = seed ^ k3;
  while (n >= 16) {
    uint64_t x, y;
    std::memcpy(&x, p, 8);
    std::memcpy(&y, p + 8, 8);
    a = mix(a ^ x ^ k1, b ^ y ^ k2) + k0;
    b = (b ^ a) * k3 + 0x9e3779b97f4a7c15ull;
    p += 16;
    n -= 16;
  }
  uint64_t x = 0, y = 0;
  if (n > 8) {
    std::memcpy(&x, p, 8);
    std::memcpy(&y, p + 8, n - 8);
  } else if (n > 0) {
    std::memcpy(&x, p, n);
  }
  a = mix(a ^ x ^ k1, b ^ y ^ k2);
  return mix(a ^ k0 ^ data.size(), b ^ k1);
}

ScanCache::ScanCache(size_t max_entries) : m_max_entries(max_entries ? max_entries : 1) {}

std::optional<std::vector<Finding>> ScanCache::get(uint64_t key) {
  std::lock_guard lock(m_mutex);
  auto it = m_index.find(key);
  if (it == m_index.end()) {
    ++m_misses;
    return std::nullopt;
  }
  ++m_hits;
  m_lru.splice(m_lru.begin(), m_lru, it->second);
  return it->second->findings;
}

void ScanCache::put(uint64_t key, std::vector<Finding> findings) {
  std::lock_guard lock(m_mutex);
  auto it = m_index.find(key);
  if (it != m_index.end()) {
    it->second->findings = std::move(findings);
    m_lru.splice(m_lru.begin(), m_lru, it->second);
    return;
  }
  m_lru.push_front(Entry{key, std::move(findings)});
  m_index[key] = m_lru.begin();
  while (m_lru.size() > m_max_entries) {
    m_index.erase(m_lru.back().key);
    m_lru.pop_back();
  }
}

size_t ScanCache::size() const {
  std::lock_guard lock(m_mutex);
  return m_lru.size();
}
uint64_t ScanCache::hits() const {
  std::lock_guard lock(m_mutex);
  return m_hits;
}
uint64_t ScanCache::misses() const {
  std::lock_guard lock(m_mutex);
  return m_misses;
}

SessionScanCaches::SessionScanCaches(size_t max_sessions, size_t entries_per_session)
    : m_max_sessions(max_sessions ? max_sessions : 1), m_entries(entries_per_session) {}

std::shared_ptr<ScanCache> SessionScanCaches::for_session(std::string_view session_id) {
  std::lock_guard lock(m_mutex);
  auto it = m_index.find(std::string(session_id));
  if (it != m_index.end()) {
    m_lru.splice(m_lru.begin(), m_lru, it->second);
    return it->second->second;
  }
  m_lru.emplace_front(std::string(session_id), std::make_shared<ScanCache>(m_entries));
  m_index[m_lru.front().first] = m_lru.begin();
  while (m_lru.size() > m_max_sessions) {
    m_index.erase(m_lru.back().first);
    m_lru.pop_back();
  }
  return m_lru.front().second;
}

void SessionScanCaches::drop(std::string_view session_id) {
  std::lock_guard lock(m_mutex);
  auto it = m_index.find(std::string(session_id));
  if (it == m_index.end()) return;
  m_lru.erase(it->second);
  m_index.erase(it);
}

}  // namespace gw::scan
