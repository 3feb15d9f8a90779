// Admission with central budgets (ADR 0046): budgets the hook calls central are charged to its
// lease balance instead of local spend; everything else works as before.
#include <doctest/doctest.h>

#include <map>

#include "core/limits/spend_store.hpp"
#include "tests/unit/limits/limits_fixture.hpp"

using namespace gw;
using namespace gw::test;

namespace {

constexpr const char* k_policy = R"(
[prices."m"]
input = 1000.0
output = 1000.0
[teams.platform]
budgets.daily = { usd = 1, period = "day" }
[keys.alice]
team = "platform"
providers = ["anthropic"]
models = ["m"]
budgets.daily = { usd = 10, period = "day" }
limits = { requests_per_minute = 2 }
)";

// A lease balance per "scope|budget"; only team budgets are central.
struct FakeLeases final : limits::CentralBudgets {
  std::map<std::string, int64_t> balance;
  std::map<std::string, int64_t> charged;
  bool is_central(const config::Policy&, const config::Budget& b) const override {
    return b.amount_nano_usd == config::k_nano_per_usd;  // the team's $1 budget
  }
  std::expected<void, limits::Denial> reserve(const limits::CentralBudgetRef& ref, int64_t cost) override {
    auto& b = balance[ref.scope + "|" + ref.name];
    if (b < cost) {
      limits::Denial d;
      d.central_reason = "lease_offline";
      d.central_detail = "offline and the lease is spent";
      return std::unexpected(d);
    }
    b -= cost;
    return {};
  }
  void settle(const limits::CentralBudgetRef& ref, int64_t reserved, int64_t cost) override {
    balance[ref.scope + "|" + ref.name] += reserved - cost;
    charged[ref.scope + "|" + ref.name] += cost;
  }
};

}  // namespace

TEST_CASE("Admission: a central budget is charged to the lease balance, not checked against local spend") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  FakeLeases leases;
  leases.balance["team:platform|daily"] = 5 * config::k_nano_per_usd;
  adm.set_central(&leases);
  // $2 worst case: over the team's $1 locally, but the lease covers it; the key's $10 still applies.
  auto r = adm.admit(request_for(*p, "alice", "m", 1000, 1000));
  REQUIRE(r.has_value());
  CHECK(leases.balance["team:platform|daily"] == 3 * config::k_nano_per_usd);
  config::Usage u;
  u.input_tokens = 500;
  u.output_tokens = 100;
  CHECK(r->settle(u) == 600'000'000);
  CHECK(leases.charged["team:platform|daily"] == 600'000'000);
  CHECK(leases.balance["team:platform|daily"] == 5 * config::k_nano_per_usd - 600'000'000);
  // Local spend is still recorded on both budgets (status shows this device's share).
  for (const auto& b : adm.budgets_of(*p, *p->find_key("alice"))) CHECK(b.spent_nano == 600'000'000);
}

TEST_CASE("Admission: a lease that cannot cover the request refuses it with the lease client's reason") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  FakeLeases leases;
  leases.balance["team:platform|daily"] = 1'000'000;
  adm.set_central(&leases);
  auto r = adm.admit(request_for(*p, "alice", "m", 10, 10));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().scope == "team");
  CHECK(r.error().scope_id == "platform");
  CHECK(r.error().limit_name == "daily");
  CHECK(r.error().reason() == "lease_offline");
  CHECK(r.error().message() == "offline and the lease is spent");
}

TEST_CASE("Admission: a request refused by a rate limit gives its lease hold back") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  FakeLeases leases;
  leases.balance["team:platform|daily"] = config::k_nano_per_usd;
  adm.set_central(&leases);
  auto a = adm.admit(request_for(*p, "alice", "m", 10, 10));
  auto b = adm.admit(request_for(*p, "alice", "m", 10, 10));
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(leases.balance["team:platform|daily"] == config::k_nano_per_usd - 40'000'000);
  auto c = adm.admit(request_for(*p, "alice", "m", 10, 10));  // 3rd within the minute: rpm = 2
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().reason() == "rpm");
  CHECK(leases.balance["team:platform|daily"] == config::k_nano_per_usd - 40'000'000);
  a->release();
  b->release();
  CHECK(leases.balance["team:platform|daily"] == config::k_nano_per_usd);
  CHECK(leases.charged["team:platform|daily"] == 0);
}
