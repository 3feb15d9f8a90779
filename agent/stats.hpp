#pragma once
// Counters for `gw status`, and the structured per-request log line. Thread-safe; record() is
// called once per finished exchange and costs one short mutex hold.
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

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
  void record(const pipeline::Exchange& ex) override;
  nlohmann::json to_json() const;  // {"agents": {name: totals}, "total": totals}
  int64_t last_activity_ns() const;

private:
  bool m_log;
  mutable std::mutex m_mutex;
  std::map<std::string, AgentTotals> m_by_agent;
  int64_t m_last_activity_ns = 0;
};

}  // namespace gw::agent
