#include "agent/stats.hpp"

#include "core/common/clock.hpp"
#include "core/common/log.hpp"
#include "core/pipeline/exchange.hpp"

namespace gw::agent {

static nlohmann::json totals_json(const AgentTotals& t) {
  return {{"requests", t.requests}, {"denied", t.denied}, {"errors", t.errors},
          {"tokens", {{"input", t.input}, {"output", t.output}, {"cache_read", t.cache_read},
                      {"cache_write", t.cache_write}, {"reasoning", t.reasoning}}}};
}

void Stats::begin(const pipeline::Exchange&) { m_metrics.begin(); }

void Stats::record(const pipeline::Exchange& ex) {
  using pipeline::Outcome;
  constexpr auto relaxed = std::memory_order_relaxed;
  size_t i = 0;
  while (i + 1 < k_agents.size() && ex.agent != k_agents[i]) ++i;
  Slot& t = m_slots[i];
  t.requests.fetch_add(1, relaxed);
  if (ex.outcome == Outcome::denied) t.denied.fetch_add(1, relaxed);
  if (ex.outcome == Outcome::gateway_error || ex.outcome == Outcome::upstream_error ||
      ex.outcome == Outcome::stream_cut)
    t.errors.fetch_add(1, relaxed);
  t.input.fetch_add(ex.usage.input, relaxed);
  t.output.fetch_add(ex.usage.output, relaxed);
  t.cache_read.fetch_add(ex.usage.cache_read, relaxed);
  t.cache_write.fetch_add(ex.usage.cache_write(), relaxed);
  t.reasoning.fetch_add(ex.usage.reasoning, relaxed);
  m_last_activity_ns.store(mono_ns(), relaxed);
  m_metrics.record(ex);
  if (!m_log || !log::enabled(log::Level::info)) return;
  auto us = [](int64_t from, int64_t to) { return from && to ? (to - from) / 1000 : 0; };
  int64_t total_us = us(ex.t.start_ns, ex.t.end_ns);
  nlohmann::json line = {
      {"id", ex.id}, {"agent", ex.agent}, {"provider", ex.provider ? ex.provider->id() : ""},
      {"endpoint", providers::endpoint_name(ex.route.endpoint)}, {"model", ex.info.model},
      {"stream", ex.info.stream}, {"status", ex.status}, {"outcome", pipeline::outcome_name(ex.outcome)},
      {"key", ex.identity.key_id}, {"session", ex.identity.session_id},
      {"usage", {{"input", ex.usage.input}, {"output", ex.usage.output}, {"cache_read", ex.usage.cache_read},
                 {"cache_write", ex.usage.cache_write()}, {"reasoning", ex.usage.reasoning},
                 {"reported", ex.usage.reported}}},
      {"bytes_in", ex.bytes_in}, {"bytes_out", ex.bytes_out}, {"total_us", total_us},
      {"ttfb_us", us(ex.t.start_ns, ex.t.first_byte_ns)},
      // Time gw itself spent: before sending upstream, plus from the upstream head to the first
      // byte relayed. The rest of total_us is the provider.
      {"overhead_us", ex.t.upstream_start_ns
                          ? us(ex.t.start_ns, ex.t.upstream_start_ns) + us(ex.t.upstream_head_ns, ex.t.first_byte_ns)
                          : total_us}};
  if (!ex.reason.empty()) line["reason"] = ex.reason;
  if (!ex.agent_session.empty()) line["agent_session"] = ex.agent_session;
  log::write(log::Level::info, "request", line);
}

nlohmann::json Stats::to_json() const {
  constexpr auto relaxed = std::memory_order_relaxed;
  AgentTotals all;
  nlohmann::json agents = nlohmann::json::object();
  for (size_t i = 0; i < m_slots.size(); ++i) {
    const Slot& s = m_slots[i];
    AgentTotals t{s.requests.load(relaxed), s.denied.load(relaxed), s.errors.load(relaxed),
                  s.input.load(relaxed), s.output.load(relaxed), s.cache_read.load(relaxed),
                  s.cache_write.load(relaxed), s.reasoning.load(relaxed)};
    if (t.requests == 0) continue;
    agents[k_agents[i]] = totals_json(t);
    all.requests += t.requests;
    all.denied += t.denied;
    all.errors += t.errors;
    all.input += t.input;
    all.output += t.output;
    all.cache_read += t.cache_read;
    all.cache_write += t.cache_write;
    all.reasoning += t.reasoning;
  }
  return {{"agents", agents}, {"total", totals_json(all)}};
}

}  // namespace gw::agent
