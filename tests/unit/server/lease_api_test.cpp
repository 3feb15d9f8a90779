// POST /v1/leases without HTTP: how the central resolves a budget from the policy it serves and
// answers acquire / renew / release, exhaustion and bad requests.
#include <doctest/doctest.h>

#include "core/common/clock.hpp"
#include "core/config/policy.hpp"
#include "core/storage/sqlite_lease_ledger.hpp"
#include "server/lease_api.hpp"
#include "tests/support/temp_dir.hpp"

using nlohmann::json;

namespace {

constexpr const char* k_policy = R"(
version = "leases"
[teams.platform]
budgets.daily = { usd = 1, period = "day" }
budgets.week = { usd = 5, period = "week", window = "rolling" }
[keys.alice]
team = "platform"
providers = ["anthropic"]
models = ["claude-*"]
)";

struct Fixture {
  gw::test::TempDir dir{"gw-lease-api"};
  gw::FakeClock clock{1'800'000'000'000};
  gw::server::ServerConfig config;
  std::unique_ptr<gw::storage::SqliteLeaseLedger> ledger;
  std::shared_ptr<const gw::config::Policy> policy;
  std::unique_ptr<gw::server::LeaseApi> api;
  Fixture() {
    auto l = gw::storage::SqliteLeaseLedger::open(dir.path() / "central.db");
    REQUIRE(l);
    ledger = std::move(*l);
    auto p = gw::config::parse_policy(k_policy, "leases.toml");
    REQUIRE_MESSAGE(p.has_value(), (p ? "" : p.error().message));
    policy = *p;
    api = std::make_unique<gw::server::LeaseApi>(config, *ledger, clock, [this] { return policy; });
  }
  gw::server::LeaseReply call(json body) { return api->handle(body.dump(), "laptops"); }
};

json acquire(const std::string& device, const std::string& rid, int64_t want = 0) {
  return {{"v", 1}, {"op", "acquire"}, {"request_id", rid}, {"device_id", device}, {"scope", "team:platform"},
          {"budget", "daily"}, {"want_nano", want}};
}

}  // namespace

TEST_CASE("LeaseApi: acquire grants a slice of the team budget named by the policy in force") {
  Fixture f;
  auto r = f.call(acquire("dev-a", "r1"));
  REQUIRE(r.status == 200);
  CHECK(r.body["grant_nano"] == 100'000'000);  // 10 % of $1
  CHECK(r.body["limit_nano"] == 1'000'000'000);
  CHECK(r.body["ttl_ms"] == 600'000);
  CHECK(r.body["expires_at_ms"] == f.clock.now_ms() + 600'000);
  CHECK(r.body["scope"] == "team:platform");
  // renew reports spend and tops the lease up again; release hands the rest back.
  json renew = {{"op", "renew"}, {"request_id", "r2"}, {"device_id", "dev-a"}, {"scope", "team:platform"},
                {"budget", "daily"}, {"lease_id", r.body["lease_id"]}, {"window_start_ms", r.body["window_start_ms"]},
                {"spent_nano", 60'000'000}};
  auto rn = f.call(renew);
  REQUIRE(rn.status == 200);
  CHECK(rn.body["settled_nano"] == 60'000'000);
  CHECK(rn.body["granted_nano"] == 160'000'000);
  renew["op"] = "release";
  renew["request_id"] = "r3";
  auto rel = f.call(renew);
  REQUIRE(rel.status == 200);
  CHECK(rel.body["released"] == true);
  CHECK(rel.body["remaining_nano"] == 940'000'000);
}

TEST_CASE("LeaseApi: an exhausted budget is a 409 that says what was spent and when it resets") {
  Fixture f;
  REQUIRE(f.call(acquire("dev-a", "r1", 950'000'000)).status == 200);
  auto r = f.call(acquire("dev-b", "r1", 100'000'000));
  CHECK(r.status == 409);
  CHECK(r.body["error"]["code"] == "budget_exhausted");
  std::string msg = r.body["error"]["message"];
  CHECK(msg == "budget 'daily' of team platform is exhausted at the central gateway: $0.00 of $1.00 spent, $0.95 "
               "leased to other devices; this request needs $0.10 more than this device holds; resets 2027-01-16T00:00Z");
  CHECK(r.body["lease"]["grant_nano"] == 0);
}

TEST_CASE("LeaseApi: unknown budgets, rolling budgets, no policy and malformed requests are refused precisely") {
  Fixture f;
  auto unknown = acquire("dev-a", "r1");
  unknown["budget"] = "monthly";
  auto r = f.call(unknown);
  CHECK(r.status == 404);
  CHECK(r.body["error"]["message"].get<std::string>().find("has no budget 'monthly' for team platform") != std::string::npos);
  auto rolling = acquire("dev-a", "r2");
  rolling["budget"] = "week";
  CHECK(f.call(rolling).status == 422);
  CHECK(f.call(json{{"op", "lend"}}).status == 400);
  auto no_rid = acquire("dev-a", "");
  CHECK(f.call(no_rid).status == 400);
  auto renew_without_lease = acquire("dev-a", "r3");
  renew_without_lease["op"] = "renew";
  CHECK(f.call(renew_without_lease).status == 400);
  CHECK(f.api->handle("not json", "laptops").status == 400);
  f.policy = nullptr;
  auto none = f.call(acquire("dev-a", "r4"));
  CHECK(none.status == 404);
  CHECK(none.body["error"]["code"] == "no_policy");
}
