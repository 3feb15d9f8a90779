#include "agent/metrics_series.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace gw::agent {

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {
size_t pow2_at_least(size_t n) {
  size_t p = 16;
  while (p < n) p <<= 1;
  return p;
}
}  // namespace

SeriesTable::SeriesTable(std::vector<std::string> label_names, size_t width, size_t capacity)
    : m_names(std::move(label_names)), m_width(std::max<size_t>(width, 1)),
      // Twice as many slots as series keeps linear probes short.
      m_capacity(pow2_at_least(capacity * 2)), m_slots(new std::atomic<Node*>[m_capacity]) {
  for (size_t i = 0; i < m_capacity; ++i) m_slots[i].store(nullptr, std::memory_order_relaxed);
}

SeriesTable::~SeriesTable() {
  for (size_t i = 0; i < m_capacity; ++i) delete m_slots[i].load(std::memory_order_relaxed);
}

std::atomic<int64_t>* SeriesTable::find_or_add(std::span<const std::string_view> values) {
  // The key lives in a per-thread buffer: no allocation once it has grown.
  thread_local std::string key;
  key.clear();
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) key += '\x1f';
    key += values[i];
  }
  const size_t mask = m_capacity - 1;
  size_t i = std::hash<std::string_view>{}(key)&mask;
  Node* fresh = nullptr;
  for (size_t probes = 0; probes < m_capacity; ++probes, i = (i + 1) & mask) {
    Node* n = m_slots[i].load(std::memory_order_acquire);
    if (!n) {
      if (m_size.load(std::memory_order_relaxed) >= m_capacity / 2) break;
      if (!fresh) {
        fresh = new Node;
        fresh->key = key;
        for (size_t l = 0; l < values.size() && l < m_names.size(); ++l) {
          if (l) fresh->rendered += ',';
          fresh->rendered += m_names[l] + "=\"" + escape_label_value(values[l]) + "\"";
        }
        fresh->values.reset(new std::atomic<int64_t>[m_width]);
        for (size_t c = 0; c < m_width; ++c) fresh->values[c].store(0, std::memory_order_relaxed);
      }
      if (m_slots[i].compare_exchange_strong(n, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
        m_size.fetch_add(1, std::memory_order_relaxed);
        return fresh->values.get();
      }
      // Another thread filled this slot first: n is now its node; compare it below.
    }
    if (n->key == key) {
      delete fresh;
      return n->values.get();
    }
  }
  delete fresh;
  m_dropped.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

Histogram::Histogram(std::vector<double> upper_bounds_s)
    : m_bounds_s(std::move(upper_bounds_s)), m_buckets(new std::atomic<int64_t>[m_bounds_s.size() + 1]) {
  std::sort(m_bounds_s.begin(), m_bounds_s.end());
  for (double b : m_bounds_s) m_bounds_ns.push_back(static_cast<int64_t>(std::llround(b * 1e9)));
  for (size_t i = 0; i <= m_bounds_s.size(); ++i) m_buckets[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe_ns(int64_t ns) {
  if (ns < 0) ns = 0;
  // Buckets are "less than or equal to" their upper bound (Prometheus `le`).
  size_t b = static_cast<size_t>(std::lower_bound(m_bounds_ns.begin(), m_bounds_ns.end(), ns) - m_bounds_ns.begin());
  m_buckets[b].fetch_add(1, std::memory_order_relaxed);
  m_sum_ns.fetch_add(ns, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = m_bounds_s;
  int64_t running = 0;
  // The count is the sum of the buckets read here, so +Inf always equals _count.
  for (size_t i = 0; i <= m_bounds_s.size(); ++i) {
    running += m_buckets[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.sum_s = static_cast<double>(m_sum_ns.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

}  // namespace gw::agent
