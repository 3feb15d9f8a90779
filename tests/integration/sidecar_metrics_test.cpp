// Visibility of a real sidecar: `gw metrics` and the opt-in HTTP /metrics parse as Prometheus
// exposition and count what happened; `gw status` shows spend against budgets and rate headroom.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/support/exposition_parser.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sidecar.hpp"

using namespace gw::test;
using nlohmann::json;

namespace {

const std::string k_body =
    R"({"model":"claude-haiku-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"say pong"}]})";

const std::string k_limits = R"(
[keys.dev.budgets.daily]
usd = 5
period = "day"
[keys.dev.limits]
requests_per_minute = 6
concurrent = 4
)";

struct CliRun {
  int code = -1;
  std::string out, err;
};

CliRun run_gw(Sidecar& s, std::vector<std::string> args, Env extra = {}) {
  ProcessOptions po;
  po.argv = {std::string(GW_BINARY_DIR) + "/gw"};
  po.argv.insert(po.argv.end(), args.begin(), args.end());
  po.env = s.env();
  for (auto& [k, v] : extra) po.env[k] = v;
  Process p(po);
  CliRun r;
  if (auto c = p.wait(std::chrono::seconds(20))) r.code = *c;
  r.out = p.stdout_text();
  r.err = p.stderr_text();
  return r;
}

Exposition parse_ok(const std::string& text) {
  Exposition e;
  std::string err;
  REQUIRE_MESSAGE(parse_exposition(text, e, err), err);
  return e;
}

void send_traffic(Sidecar& gw) {
  std::string token = gw.mint();
  auto cli = gw.client();
  for (int i = 0; i < 2; ++i) {
    auto r = post_streaming(cli, "/anthropic/v1/messages?beta=true", k_body,
                            {{"Authorization", "Bearer " + token}, {"User-Agent", "claude-cli/2.1.197 (external, sdk-cli)"}});
    REQUIRE(r.ok);
    REQUIRE(r.status == 200);
  }
  auto bad = post_streaming(cli, "/anthropic/v1/messages", k_body,
                            {{"Authorization", "Bearer not-a-key"}, {"User-Agent", "claude-cli/2.1.197 (external, sdk-cli)"}});
  REQUIRE(bad.status == 401);
}

}  // namespace

TEST_CASE("sidecar: gw metrics prints a valid exposition counting requests, denials, tokens, cost and budgets") {
  FakeProvider fake({.expect_keys = {std::string("anthropic=") + k_anthropic_key}});
  Sidecar gw(fake, {.extra_policy = k_limits});
  send_traffic(gw);
  auto r = run_gw(gw, {"metrics"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  auto e = parse_ok(r.out);
  CHECK(e.value("gw_requests_total", {{"route", "messages"}, {"provider", "anthropic"}, {"status", "200"}, {"agent", "claude-code"}}) == 2);
  CHECK(e.value("gw_requests_total", {{"route", "messages"}, {"provider", "anthropic"}, {"status", "401"}, {"agent", "claude-code"}}) == 1);
  CHECK(e.value("gw_denials_total", {{"reason", "auth"}, {"provider", "anthropic"}, {"agent", "claude-code"}}) == 1);
  CHECK(e.value("gw_tokens_total", {{"provider", "anthropic"}, {"model", "claude-haiku-4-5"}, {"kind", "output"}}) > 0);
  double cost = e.value("gw_cost_nano_usd_total", {{"provider", "anthropic"}, {"model", "claude-haiku-4-5"}});
  CHECK(cost > 0);
  // What was charged is what the budget shows as spent.
  CHECK(e.value("gw_budget_spent_nano_usd", {{"scope", "key"}, {"id", "dev"}, {"budget", "daily"}, {"period", "day"}, {"window", "calendar"}}) == cost);
  CHECK(e.value("gw_budget_limit_nano_usd", {{"scope", "key"}, {"id", "dev"}, {"budget", "daily"}, {"period", "day"}, {"window", "calendar"}}) == 5e9);
  CHECK(e.value("gw_overhead_seconds_count", {{"path", "forwarded"}}) == 2);
  CHECK(e.value("gw_overhead_seconds_count", {{"path", "local"}}) == 1);
  CHECK(e.value("gw_upstream_response_seconds_count", {{"provider", "anthropic"}}) == 2);
  CHECK(e.value("gw_in_flight_requests", {}) == 0);
}

TEST_CASE("sidecar: --metrics-port serves GET /metrics on loopback only, nothing else, not to web pages") {
  FakeProvider fake({.expect_keys = {std::string("anthropic=") + k_anthropic_key}});
  Sidecar gw(fake, {.extra_args = {"--metrics-port", "0"}});
  send_traffic(gw);
  int port = gw.status().value("metrics_port", -1);
  REQUIRE(port > 0);
  httplib::Client cli("127.0.0.1", port);
  auto r = cli.Get("/metrics");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type").starts_with("text/plain; version=0.0.4"));
  auto e = parse_ok(r->body);
  CHECK(e.value("gw_requests_total", {{"route", "messages"}, {"provider", "anthropic"}, {"status", "200"}, {"agent", "claude-code"}}) == 2);
  auto other = cli.Get("/v1/messages");
  REQUIRE(other);
  CHECK(other->status == 404);
  auto web = cli.Get("/metrics", {{"Origin", "http://evil.example"}});
  REQUIRE(web);
  CHECK(web->status == 403);
  auto rebind = cli.Get("/metrics", {{"Host", "evil.example:80"}});
  REQUIRE(rebind);
  CHECK(rebind->status == 403);
}

TEST_CASE("sidecar: without --metrics-port no HTTP metrics endpoint is opened") {
  FakeProvider fake;
  Sidecar gw(fake);
  CHECK(gw.status().value("metrics_port", 0) == -1);
  // And the agents' port does not serve metrics: /metrics is not a provider route.
  auto cli = gw.client();
  auto r = cli.Get("/metrics");
  REQUIRE(r);
  CHECK(r->status == 404);
}

TEST_CASE("sidecar: gw status shows spend against each budget with a bar, time to reset and rate headroom") {
  FakeProvider fake({.expect_keys = {std::string("anthropic=") + k_anthropic_key}});
  Sidecar gw(fake, {.extra_policy = k_limits});
  send_traffic(gw);
  auto r = run_gw(gw, {"status"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK_MESSAGE(r.out.find("key dev") != std::string::npos, r.out);
  CHECK_MESSAGE(r.out.find("budget key dev 'daily' (day, calendar)") != std::string::npos, r.out);
  CHECK_MESSAGE(r.out.find("[#...................]") != std::string::npos, r.out);
  CHECK_MESSAGE(r.out.find("of $5.00; resets in ") != std::string::npos, r.out);
  CHECK_MESSAGE(r.out.find("4/6 requests per minute left, 0/4 in flight") != std::string::npos, r.out);
  CHECK(r.out.find("\033[") == std::string::npos);  // not a terminal: no colour

  auto j = run_gw(gw, {"status", "--json", "--key", "dev", "--key", "nobody"});
  REQUIRE_MESSAGE(j.code == 0, j.err);
  auto s = json::parse(j.out);
  REQUIRE(s["keys"].size() == 2);
  const auto& dev = s["keys"][0];
  CHECK(dev["key"] == "dev");
  REQUIRE(dev["budgets"].size() == 1);
  CHECK(dev["budgets"][0]["limit_nano"] == 5'000'000'000LL);
  CHECK(dev["budgets"][0]["spent_nano"].get<int64_t>() > 0);
  CHECK(dev["budgets"][0]["resets_at_ms"].get<int64_t>() > s["now_ms"].get<int64_t>());
  REQUIRE(dev["rate_limits"].size() == 1);
  CHECK(dev["rate_limits"][0]["requests_available"] == 4);
  CHECK(s["keys"][1]["error"] == "no key 'nobody' in the policy in force");
}
