#pragma once
// Counters for `gw status`, the Prometheus metrics (metrics.hpp) and the structured per-request
// log line. Thread-safe and lock-free: record() is called once per finished exchange and only
// adds to atomics (per-agent slots for the four agents gw knows).
#include <array>
#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/metrics.hpp"

#include "core/stages/services.hpp"

namespace gw::agent {

struct AgentTotals {
  int64_t requests = 0;
  int64_t denied = 0;
  int64_t errors = 0;  // gateway or upstream failures, cut streams
  int64_t input = 0, output = 0, cache_read = 0, cache_write = 0, reasoning = 0;
};

class Stats final : public stages::ExchangeSink {
public:
  // log_requests: write one JSON log line per exchange.
  explicit Stats(bool log_requests) : m_log(log_requests) {}
  void begin(const pipeline::Exchange& ex) override;
  void record(const pipeline::Exchange& ex) override;
  nlohmann::json to_json() const;  // {"agents": {name: totals}, "total": totals}; agents seen only
  int64_t last_activity_ns() const { return m_last_activity_ns.load(std::memory_order_relaxed); }
  const Metrics& metrics() const { return m_metrics; }

private:
  struct Slot {
    std::atomic<int64_t> requests{0}, denied{0}, errors{0};
    std::atomic<int64_t> input{0}, output{0}, cache_read{0}, cache_write{0}, reasoning{0};
  };
  static constexpr std::array<const char*, 4> k_agents = {"claude-code", "codex", "gemini-cli", "other"};
  bool m_log;
  std::array<Slot, 4> m_slots;
  std::atomic<int64_t> m_last_activity_ns{0};
  Metrics m_metrics;
};

}  // namespace gw::agent
