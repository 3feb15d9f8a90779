// The sidecar's Prometheus exposition: parsed by a strict parser (HELP/TYPE, label escaping,
// cumulative histograms), counted exactly under concurrency, budgets exported as gauges.
#include <doctest/doctest.h>

#include <cmath>
#include <thread>

#include "agent/metrics.hpp"
#include "core/common/clock.hpp"
#include "core/limits/spend_store.hpp"
#include "core/pipeline/exchange.hpp"
#include "core/providers/registry.hpp"
#include "tests/support/exposition_parser.hpp"

using gw::agent::Metrics;
using gw::pipeline::Exchange;
using gw::pipeline::Outcome;
using gw::test::Exposition;

namespace {

const gw::providers::Registry& registry() {
  static gw::providers::Registry r;
  return r;
}

// A forwarded request: 100 us in gw before upstream, 5 ms upstream, 20 us to relay the head.
Exchange forwarded(const std::string& model, int status = 200) {
  Exchange ex;
  ex.provider = registry().by_id("anthropic");
  ex.request.method = "POST";
  ex.route.endpoint = gw::providers::Endpoint::messages;
  ex.agent = "claude-code";
  ex.info.model = model;
  ex.status = status;
  ex.outcome = Outcome::completed;
  ex.usage.input = 10;
  ex.usage.output = 5;
  ex.usage.cache_read = 3;
  ex.usage.reported = true;
  ex.cost_nano_usd = 1234;
  ex.t.start_ns = 1'000'000;
  ex.t.upstream_start_ns = ex.t.start_ns + 100'000;
  ex.t.upstream_head_ns = ex.t.upstream_start_ns + 5'000'000;
  ex.t.first_byte_ns = ex.t.upstream_head_ns + 20'000;
  ex.t.end_ns = ex.t.first_byte_ns + 1'000'000;
  return ex;
}

Exchange denied(const std::string& reason_code, const char* provider = "openai") {
  Exchange ex;
  ex.provider = registry().by_id(provider);
  ex.request.method = "POST";
  ex.route.endpoint = gw::providers::Endpoint::responses;
  ex.agent = "codex";
  ex.status = 429;
  ex.outcome = Outcome::denied;
  ex.reason_code = reason_code;
  ex.t.start_ns = 1'000'000;
  ex.t.end_ns = 1'030'000;
  return ex;
}

Exposition parse(const std::string& text) {
  Exposition e;
  std::string err;
  bool ok = gw::test::parse_exposition(text, e, err);
  REQUIRE_MESSAGE(ok, err << "\n" << text);
  return e;
}

}  // namespace

TEST_CASE("Metrics: the exposition parses, with HELP and TYPE for every family") {
  Metrics m;
  for (int i = 0; i < 3; ++i) {
    m.begin();
    m.record(forwarded("claude-opus-4-8"));
  }
  m.begin();
  m.record(denied("rpm"));
  auto e = parse(m.render({}));
  for (const char* f : {"gw_requests_total", "gw_denials_total", "gw_tokens_total", "gw_cost_nano_usd_total",
                        "gw_overhead_seconds", "gw_upstream_response_seconds", "gw_in_flight_requests"}) {
    CHECK_MESSAGE(e.types.count(f), f);
    CHECK_MESSAGE(e.help.count(f), f);
  }
  CHECK(e.types["gw_overhead_seconds"] == "histogram");
  CHECK(e.types["gw_requests_total"] == "counter");
  CHECK(e.types["gw_in_flight_requests"] == "gauge");
  CHECK(e.value("gw_requests_total", {{"route", "messages"}, {"provider", "anthropic"}, {"status", "200"}, {"agent", "claude-code"}}) == 3);
  CHECK(e.value("gw_requests_total", {{"route", "responses"}, {"provider", "openai"}, {"status", "429"}, {"agent", "codex"}}) == 1);
  CHECK(e.value("gw_denials_total", {{"reason", "rpm"}, {"provider", "openai"}, {"agent", "codex"}}) == 1);
  CHECK(e.value("gw_tokens_total", {{"provider", "anthropic"}, {"model", "claude-opus-4-8"}, {"kind", "input"}}) == 30);
  CHECK(e.value("gw_tokens_total", {{"provider", "anthropic"}, {"model", "claude-opus-4-8"}, {"kind", "output"}}) == 15);
  CHECK(e.value("gw_tokens_total", {{"provider", "anthropic"}, {"model", "claude-opus-4-8"}, {"kind", "cache_read"}}) == 9);
  CHECK(e.value("gw_cost_nano_usd_total", {{"provider", "anthropic"}, {"model", "claude-opus-4-8"}}) == 3 * 1234);
  CHECK(e.value("gw_in_flight_requests", {}) == 0);
}

TEST_CASE("Metrics: label values with quotes, backslashes and newlines are escaped and round-trip") {
  Metrics m;
  const std::string model = "we\"ird\\mo\ndel";
  m.begin();
  m.record(forwarded(model));
  std::string text = m.render({});
  CHECK(text.find("model=\"we\\\"ird\\\\mo\\ndel\"") != std::string::npos);
  auto e = parse(text);
  CHECK(e.value("gw_cost_nano_usd_total", {{"provider", "anthropic"}, {"model", model}}) == 1234);
}

TEST_CASE("Metrics: overhead excludes the upstream wait; histograms are cumulative with +Inf, _sum and _count") {
  auto ex = forwarded("m");
  CHECK(Metrics::overhead_ns(ex) == 120'000);  // 100 us before upstream + 20 us after its head
  CHECK(Metrics::overhead_ns(denied("budget")) == 30'000);
  Metrics m;
  for (int i = 0; i < 4; ++i) {
    m.begin();
    m.record(ex);
  }
  m.begin();
  m.record(denied("budget"));
  auto e = parse(m.render({}));
  // 120 us falls in le=0.00025, not in le=0.0001.
  CHECK(e.value("gw_overhead_seconds_bucket", {{"path", "forwarded"}, {"le", "0.0001"}}) == 0);
  CHECK(e.value("gw_overhead_seconds_bucket", {{"path", "forwarded"}, {"le", "0.00025"}}) == 4);
  CHECK(e.value("gw_overhead_seconds_bucket", {{"path", "forwarded"}, {"le", "+Inf"}}) == 4);
  CHECK(e.value("gw_overhead_seconds_count", {{"path", "forwarded"}}) == 4);
  CHECK(std::abs(e.value("gw_overhead_seconds_sum", {{"path", "forwarded"}}) - 4 * 120e-6) < 1e-9);
  CHECK(e.value("gw_overhead_seconds_count", {{"path", "local"}}) == 1);
  CHECK(e.value("gw_overhead_seconds_bucket", {{"path", "local"}, {"le", "0.00005"}}) == 1);
  // 5 ms upstream: in le=0.005, not le=0.001.
  CHECK(e.value("gw_upstream_response_seconds_bucket", {{"provider", "anthropic"}, {"le", "0.001"}}) == 0);
  CHECK(e.value("gw_upstream_response_seconds_bucket", {{"provider", "anthropic"}, {"le", "0.005"}}) == 4);
  CHECK(e.value("gw_upstream_response_seconds_count", {{"provider", "openai"}}) == 0);
}

TEST_CASE("Metrics: in-flight gauge counts requests begun and not yet recorded") {
  Metrics m;
  m.begin();
  m.begin();
  CHECK(parse(m.render({})).value("gw_in_flight_requests", {}) == 2);
  m.record(denied("auth"));
  CHECK(parse(m.render({})).value("gw_in_flight_requests", {}) == 1);
}

TEST_CASE("Metrics: counts are exact when many threads record at once") {
  Metrics m;
  constexpr int k_threads = 8, k_each = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t)
    threads.emplace_back([&m, t] {
      // Each thread uses its own model too, so series are created concurrently.
      auto ex = forwarded("model-" + std::to_string(t % 3));
      for (int i = 0; i < k_each; ++i) {
        m.begin();
        m.record(ex);
      }
    });
  for (auto& th : threads) th.join();
  auto e = parse(m.render({}));
  CHECK(e.value("gw_requests_total", {{"route", "messages"}, {"provider", "anthropic"}, {"status", "200"}, {"agent", "claude-code"}}) ==
        k_threads * k_each);
  double out = 0;
  for (int i = 0; i < 3; ++i)
    out += e.value("gw_tokens_total", {{"provider", "anthropic"}, {"model", "model-" + std::to_string(i)}, {"kind", "output"}});
  CHECK(out == 5.0 * k_threads * k_each);
  CHECK(e.value("gw_overhead_seconds_count", {{"path", "forwarded"}}) == k_threads * k_each);
  CHECK(e.value("gw_in_flight_requests", {}) == 0);
}

TEST_CASE("Metrics: a flood of distinct label values is capped and counted as dropped") {
  gw::agent::SeriesTable t({"model"}, 1, 8);
  for (int i = 0; i < 100; ++i) {
    std::string v = "m" + std::to_string(i);
    std::array<std::string_view, 1> vals{v};
    t.add(vals, 1);
  }
  size_t n = 0;
  t.for_each([&](std::string_view, const std::atomic<int64_t>*) { ++n; });
  CHECK(n <= 16);
  CHECK(n >= 8);
  CHECK(t.dropped() == static_cast<int64_t>(100 - n));
}

TEST_CASE("Metrics: budgets of keys, teams and the org are gauges of spend, held and limit") {
  auto policy = gw::config::parse_policy(R"(
version = "t"
[teams.platform]
budgets.monthly = { usd = 100, period = "month" }
[keys.alice]
team = "platform"
providers = ["anthropic"]
models = ["claude-*"]
budgets.daily = { usd = 5, period = "day" }
[keys.bob]
team = "platform"
providers = ["anthropic"]
models = ["claude-*"]
)", "t.toml");
  REQUIRE_MESSAGE(policy.has_value(), (policy ? "" : policy.error().message));
  gw::FakeClock clock(1795548855000);
  gw::limits::MemorySpendStore store;
  gw::limits::Admission admission(clock, store);
  gw::limits::AdmissionRequest req;
  req.policy = policy->get();
  req.key = (*policy)->find_key("alice");
  req.model = "claude-opus-4-8";
  req.input_tokens = 1000;
  req.max_output_tokens = 1000;
  auto r = admission.admit(req);
  REQUIRE(r.has_value());
  gw::config::Usage u;
  u.input_tokens = 1000;
  u.output_tokens = 100;
  int64_t cost = r->settle(u);
  REQUIRE(cost > 0);
  Metrics m;
  auto e = parse(m.render({policy->get(), &admission, 2}));
  CHECK(e.types["gw_budget_spent_nano_usd"] == "gauge");
  CHECK(e.value("gw_budget_spent_nano_usd", {{"scope", "key"}, {"id", "alice"}, {"budget", "daily"}, {"period", "day"}, {"window", "calendar"}}) == cost);
  CHECK(e.value("gw_budget_limit_nano_usd", {{"scope", "key"}, {"id", "alice"}, {"budget", "daily"}, {"period", "day"}, {"window", "calendar"}}) == 5e9);
  // The team budget is listed once although both members see it.
  CHECK(e.value("gw_budget_spent_nano_usd", {{"scope", "team"}, {"id", "platform"}, {"budget", "monthly"}, {"period", "month"}, {"window", "calendar"}}) == cost);
  CHECK(e.value("gw_sessions_live", {}) == 2);
}
