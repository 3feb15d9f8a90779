#pragma once
// Lock-free building blocks of the Prometheus metrics: a fixed-capacity table of labelled
// counter series and a fixed-bucket histogram. The hot path (one finished request) only does
// atomic loads, compare-and-swaps on an empty slot the first time a label set is seen, and
// relaxed fetch_adds; no mutex. Readers (a scrape) may see a request half-counted across
// families, never a torn value.
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gw::agent {

// Escapes a Prometheus label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view v);

// Series keyed by their label values. Each series holds `width` counters (e.g. one per token
// kind). Series are never removed; when `capacity` series exist, further label sets are not
// recorded and counted in dropped() instead, so hostile label values cannot grow memory.
class SeriesTable {
public:
  SeriesTable(std::vector<std::string> label_names, size_t width = 1, size_t capacity = 4096);
  ~SeriesTable();
  SeriesTable(const SeriesTable&) = delete;
  SeriesTable& operator=(const SeriesTable&) = delete;

  // The counters of the series with these label values (as many as label names), created on
  // first use; nullptr when the table is full.
  std::atomic<int64_t>* find_or_add(std::span<const std::string_view> values);
  void add(std::span<const std::string_view> values, int64_t delta, size_t column = 0) {
    if (delta == 0) return;
    if (auto* c = find_or_add(values)) c[column].fetch_add(delta, std::memory_order_relaxed);
  }
  int64_t dropped() const { return m_dropped.load(std::memory_order_relaxed); }

  // Visits every series: f(rendered_labels, counters) where rendered_labels is
  // `name="value",...` already escaped, and counters has `width` entries.
  template <class F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < m_capacity; ++i)
      if (const Node* n = m_slots[i].load(std::memory_order_acquire)) f(std::string_view(n->rendered), n->values.get());
  }

private:
  struct Node {
    std::string key;       // label values joined by '\x1f'
    std::string rendered;  // name="escaped value",...
    std::unique_ptr<std::atomic<int64_t>[]> values;
  };
  std::vector<std::string> m_names;
  size_t m_width;
  size_t m_capacity;  // a power of two
  std::unique_ptr<std::atomic<Node*>[]> m_slots;
  std::atomic<size_t> m_size{0};
  std::atomic<int64_t> m_dropped{0};
};

// A histogram over durations with fixed upper bounds (seconds). observe() is wait-free.
class Histogram {
public:
  explicit Histogram(std::vector<double> upper_bounds_s);
  void observe_ns(int64_t ns);
  struct Snapshot {
    std::vector<double> bounds;        // upper bounds in seconds, ascending (no +Inf)
    std::vector<int64_t> cumulative;   // bounds.size() + 1 entries, the last is +Inf == count
    double sum_s = 0;
  };
  Snapshot snapshot() const;

private:
  std::vector<double> m_bounds_s;
  std::vector<int64_t> m_bounds_ns;
  std::unique_ptr<std::atomic<int64_t>[]> m_buckets;  // per bucket (not cumulative), + overflow
  std::atomic<int64_t> m_sum_ns{0};
};

}  // namespace gw::agent
