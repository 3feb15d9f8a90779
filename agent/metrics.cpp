#include "agent/metrics.hpp"

#include <array>
#include <cstdio>
#include <set>

#include "agent/lease_client.hpp"
#include "core/pipeline/exchange.hpp"

namespace gw::agent {

namespace {

// Gateway overhead is microseconds to a few milliseconds; the tail buckets catch stalls.
const std::vector<double> k_overhead_bounds = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                               0.0025,  0.005,    0.01,    0.025,  0.05,    0.1,    0.25, 1};
// Upstream response heads: from a loopback fake (sub-millisecond) to a busy provider (a minute).
const std::vector<double> k_upstream_bounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                               1,     2.5,   5,    10,    30,   60,  120};
const char* const k_providers[4] = {"anthropic", "openai", "gemini", "other"};
const char* const k_token_kinds[5] = {"input", "output", "cache_read", "cache_write", "reasoning"};

size_t provider_index(std::string_view id) {
  for (size_t i = 0; i < 3; ++i)
    if (id == k_providers[i]) return i;
  return 3;
}

std::string route_of(const pipeline::Exchange& ex) {
  // An unresolved route keeps the default endpoint (preconnect), which is only HEAD /.
  if (ex.route.endpoint == providers::Endpoint::preconnect && ex.request.method != "HEAD") return "unknown";
  return std::string(providers::endpoint_name(ex.route.endpoint));
}

// Formats seconds in plain decimal ("0.00005", "1", "12.5"): nanosecond precision, no exponent,
// so `le` labels read the same as in the docs and dashboards.
std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9f", v);
  std::string s = buf;
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void series(std::string& out, const char* name, std::string_view labels, int64_t value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(std::to_string(value)).append("\n");
}

void histogram(std::string& out, const char* name, const std::string& labels, const Histogram& h) {
  auto s = h.snapshot();
  std::string prefix = labels.empty() ? "" : labels + ",";
  for (size_t i = 0; i < s.bounds.size(); ++i)
    out.append(name).append("_bucket{").append(prefix).append("le=\"").append(num(s.bounds[i]))
        .append("\"} ").append(std::to_string(s.cumulative[i])).append("\n");
  out.append(name).append("_bucket{").append(prefix).append("le=\"+Inf\"} ")
      .append(std::to_string(s.cumulative.back())).append("\n");
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out.append(name).append("_sum").append(braces).append(" ").append(num(s.sum_s)).append("\n");
  out.append(name).append("_count").append(braces).append(" ").append(std::to_string(s.cumulative.back())).append("\n");
}

void budgets(std::string& out, const Metrics::Scrape& scrape) {
  if (!scrape.policy || !scrape.admission) return;
  struct Row {
    std::string labels;
    int64_t spent, reserved, limit;
  };
  std::vector<Row> rows;
  std::set<std::string> seen;  // a team's and the org's budgets appear under every member key
  auto visit = [&](const config::VirtualKey& key) {
    for (const auto& b : scrape.admission->budgets_of(*scrape.policy, key)) {
      std::string labels = "scope=\"" + escape_label_value(b.scope) + "\",id=\"" + escape_label_value(b.scope_id) +
                           "\",budget=\"" + escape_label_value(b.budget.name) + "\",period=\"" +
                           std::string(config::to_string(b.budget.period)) + "\",window=\"" +
                           std::string(config::to_string(b.budget.window)) + "\"";
      if (seen.insert(labels).second) rows.push_back({labels, b.spent_nano, b.reserved_nano, b.budget.amount_nano_usd});
    }
  };
  for (const auto& [_, key] : scrape.policy->keys)
    if (!key.budgets.empty() || !key.team.empty() || !scrape.policy->org_budgets.empty()) visit(key);
  if (scrape.policy->anonymous) visit(*scrape.policy->anonymous);
  if (rows.empty()) return;
  header(out, "gw_budget_spent_nano_usd", "gauge", "Settled spend in the budget's current period, in 1e-9 USD.");
  for (const auto& r : rows) series(out, "gw_budget_spent_nano_usd", r.labels, r.spent);
  header(out, "gw_budget_reserved_nano_usd", "gauge", "Spend held by requests in flight, in 1e-9 USD.");
  for (const auto& r : rows) series(out, "gw_budget_reserved_nano_usd", r.labels, r.reserved);
  header(out, "gw_budget_limit_nano_usd", "gauge", "The budget's amount per period, in 1e-9 USD.");
  for (const auto& r : rows) series(out, "gw_budget_limit_nano_usd", r.labels, r.limit);
}

// What this device holds of each central budget: the lease balance and whether the central is
// reachable (1: the last call failed for want of it).
void leases(std::string& out, const Metrics::Scrape& scrape) {
  if (!scrape.leases) return;
  auto st = scrape.leases->status();
  const auto& list = st["leases"];
  if (list.empty()) return;
  auto labels = [](const nlohmann::json& l) {
    return "scope=\"" + escape_label_value(l.value("scope", "")) + "\",budget=\"" +
           escape_label_value(l.value("budget", "")) + "\"";
  };
  header(out, "gw_lease_balance_nano_usd", "gauge", "Unspent part of this device's lease on a central budget, in 1e-9 USD.");
  for (const auto& l : list) series(out, "gw_lease_balance_nano_usd", labels(l), l.value("balance_nano", int64_t{0}));
  header(out, "gw_lease_offline", "gauge", "1 when the last lease call could not reach the central gateway.");
  for (const auto& l : list) series(out, "gw_lease_offline", labels(l), l.value("state", "") == "offline" ? 1 : 0);
}

}  // namespace

Metrics::Metrics() : m_overhead_forwarded(k_overhead_bounds), m_overhead_local(k_overhead_bounds) {
  for (auto& h : m_upstream) h = std::make_unique<Histogram>(k_upstream_bounds);
}

void Metrics::begin() { m_in_flight.fetch_add(1, std::memory_order_relaxed); }

int64_t Metrics::overhead_ns(const pipeline::Exchange& ex) {
  const auto& t = ex.t;
  auto span = [](int64_t from, int64_t to) { return from && to && to > from ? to - from : 0; };
  if (!t.upstream_start_ns) return span(t.start_ns, t.end_ns);
  return span(t.start_ns, t.upstream_start_ns) + span(t.upstream_head_ns, t.first_byte_ns);
}

void Metrics::record(const pipeline::Exchange& ex) {
  m_in_flight.fetch_sub(1, std::memory_order_relaxed);
  const std::string_view provider = ex.provider ? ex.provider->id() : std::string_view("other");
  const std::string_view agent = ex.agent.empty() ? std::string_view("other") : std::string_view(ex.agent);
  const std::string route = route_of(ex);
  const std::string status = std::to_string(ex.status);
  m_requests.add(std::array<std::string_view, 4>{route, provider, status, agent}, 1);
  if (ex.outcome == pipeline::Outcome::denied) {
    std::string_view reason = ex.reason_code.empty() ? std::string_view("policy") : std::string_view(ex.reason_code);
    m_denials.add(std::array<std::string_view, 3>{reason, provider, agent}, 1);
  }
  const auto& u = ex.usage;
  if (u.reported || u.input || u.output) {
    std::array<std::string_view, 2> pm{provider, ex.info.model};
    if (auto* c = m_tokens.find_or_add(pm)) {
      const int64_t v[5] = {u.input, u.output, u.cache_read, u.cache_write(), u.reasoning};
      for (size_t i = 0; i < 5; ++i)
        if (v[i]) c[i].fetch_add(v[i], std::memory_order_relaxed);
    }
  }
  if (ex.cost_nano_usd) m_cost.add(std::array<std::string_view, 2>{provider, ex.info.model}, ex.cost_nano_usd);
  if (ex.t.upstream_start_ns) {
    m_overhead_forwarded.observe_ns(overhead_ns(ex));
    if (ex.t.upstream_head_ns)
      m_upstream[provider_index(provider)]->observe_ns(ex.t.upstream_head_ns - ex.t.upstream_start_ns);
  } else {
    m_overhead_local.observe_ns(overhead_ns(ex));
  }
}

std::string Metrics::render(const Scrape& scrape) const {
  std::string out;
  out.reserve(8192);
  header(out, "gw_requests_total", "counter", "Requests finished by the sidecar, by route, provider, status sent and agent.");
  m_requests.for_each([&](std::string_view l, const std::atomic<int64_t>* v) {
    series(out, "gw_requests_total", l, v[0].load(std::memory_order_relaxed));
  });
  header(out, "gw_denials_total", "counter", "Requests refused by policy, by reason (auth, model, budget, rpm, tpm, concurrency, unpriced, ...).");
  m_denials.for_each([&](std::string_view l, const std::atomic<int64_t>* v) {
    series(out, "gw_denials_total", l, v[0].load(std::memory_order_relaxed));
  });
  header(out, "gw_tokens_total", "counter", "Tokens reported by the provider, by model and kind.");
  m_tokens.for_each([&](std::string_view l, const std::atomic<int64_t>* v) {
    for (size_t i = 0; i < 5; ++i)
      series(out, "gw_tokens_total", std::string(l) + ",kind=\"" + k_token_kinds[i] + "\"", v[i].load(std::memory_order_relaxed));
  });
  header(out, "gw_cost_nano_usd_total", "counter", "Cost charged to budgets, in 1e-9 USD, by model.");
  m_cost.for_each([&](std::string_view l, const std::atomic<int64_t>* v) {
    series(out, "gw_cost_nano_usd_total", l, v[0].load(std::memory_order_relaxed));
  });
  header(out, "gw_overhead_seconds", "histogram",
         "Time gw spent on a request, excluding the wait for the provider's response head; path=forwarded|local.");
  histogram(out, "gw_overhead_seconds", "path=\"forwarded\"", m_overhead_forwarded);
  histogram(out, "gw_overhead_seconds", "path=\"local\"", m_overhead_local);
  header(out, "gw_upstream_response_seconds", "histogram", "Time from writing a request upstream to the provider's response head.");
  for (size_t i = 0; i < 4; ++i)
    histogram(out, "gw_upstream_response_seconds", std::string("provider=\"") + k_providers[i] + "\"", *m_upstream[i]);
  header(out, "gw_in_flight_requests", "gauge", "Requests received and not yet finished.");
  series(out, "gw_in_flight_requests", "", m_in_flight.load(std::memory_order_relaxed));
  if (scrape.sessions_live >= 0) {
    header(out, "gw_sessions_live", "gauge", "Launcher sessions currently valid.");
    series(out, "gw_sessions_live", "", scrape.sessions_live);
  }
  budgets(out, scrape);
  leases(out, scrape);
  header(out, "gw_metrics_series_dropped_total", "counter", "Updates not recorded because a family reached its series limit.");
  series(out, "gw_metrics_series_dropped_total", "",
         m_requests.dropped() + m_denials.dropped() + m_tokens.dropped() + m_cost.dropped());
  return out;
}

}  // namespace gw::agent
