#pragma once
// The sidecar's Prometheus metrics (text exposition format 0.0.4), served by the control API
// (`{"op":"metrics"}`, `gw metrics`) and, when enabled, on a loopback HTTP port (metrics_http.hpp).
// Families (docs/metrics.md lists them with their labels):
//   gw_requests_total{route,provider,status,agent}       counter
//   gw_denials_total{reason,provider,agent}              counter
//   gw_tokens_total{provider,model,kind}                 counter (kind: input|output|cache_read|cache_write|reasoning)
//   gw_cost_nano_usd_total{provider,model}               counter (1e-9 USD, integer)
//   gw_overhead_seconds{path}                             histogram: time gw spent, upstream excluded
//   gw_upstream_response_seconds{provider}                histogram: request written -> response head
//   gw_in_flight_requests                                 gauge
//   gw_budget_{spent,reserved,limit}_nano_usd{scope,id,budget,period,window}  gauges at scrape time
//   gw_sessions_live, gw_metrics_series_dropped_total
// record() and begin() are lock-free (atomics only); render() may take Admission's lock.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "agent/metrics_series.hpp"
#include "core/config/policy.hpp"
#include "core/limits/admission.hpp"

namespace gw::pipeline {
struct Exchange;
}

namespace gw::agent {

class LeaseClient;

class Metrics {
public:
  Metrics();
  // A request was received (in-flight gauge).
  void begin();
  // A request finished (always after begin()).
  void record(const pipeline::Exchange& ex);

  // What render() reads besides the counters; any pointer may be null.
  struct Scrape {
    const config::Policy* policy = nullptr;
    limits::Admission* admission = nullptr;
    int64_t sessions_live = -1;  // < 0: not exported
    const LeaseClient* leases = nullptr;  // central budgets' leases (ADR 0046)
  };
  std::string render(const Scrape& scrape) const;

  // Gateway time of an exchange in nanoseconds: everything except waiting for the provider's
  // response head. For a forwarded request: received -> written upstream, plus response head ->
  // first byte relayed. For a local answer (denial, error): received -> end.
  static int64_t overhead_ns(const pipeline::Exchange& ex);

private:
  SeriesTable m_requests{{"route", "provider", "status", "agent"}};
  SeriesTable m_denials{{"reason", "provider", "agent"}};
  SeriesTable m_tokens{{"provider", "model"}, 5};
  SeriesTable m_cost{{"provider", "model"}};
  Histogram m_overhead_forwarded;
  Histogram m_overhead_local;
  std::unique_ptr<Histogram> m_upstream[4];  // anthropic, openai, gemini, other
  std::atomic<int64_t> m_in_flight{0};
};

}  // namespace gw::agent
