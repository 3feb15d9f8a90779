#include <doctest/doctest.h>

#include "tests/unit/limits/limits_fixture.hpp"

using namespace gw;
using gw::test::k_t0;
using gw::test::policy_from;
using gw::test::request_for;

namespace {
// claude-haiku-4-5: $1/M input, $5/M output. 1M input tokens = $1.
const char* k_policy = R"(
[prices.test-model]
input = 1.0
output = 10.0
[org]
budgets.monthly = { usd = 100, period = "month" }
[teams.platform]
budgets.daily = { usd = 8, period = "day" }
[keys.alice]
team = "platform"
providers = ["anthropic"]
models = ["*"]
budgets.daily = { usd = 5, period = "day" }
[keys.bob]
team = "platform"
providers = ["anthropic"]
models = ["*"]
budgets.daily = { usd = 5, period = "day" }
)";

config::Usage usage(int64_t in, int64_t out) {
  config::Usage u;
  u.input_tokens = in;
  u.output_tokens = out;
  return u;
}
}  // namespace

TEST_CASE("Admission: reserves the worst case and settles the actual cost, releasing the rest") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  // 1M input ($1) + 100k output ($1) reserved = $2.
  auto r = adm.admit(request_for(*p, "alice", "test-model", 1'000'000, 100'000));
  REQUIRE(r.has_value());
  CHECK(r->reserved_nano() == 2 * config::k_nano_per_usd);
  auto st = adm.budgets_of(*p, *p->find_key("alice"));
  REQUIRE(st.size() == 3);
  CHECK(st[0].reserved_nano == 2 * config::k_nano_per_usd);
  CHECK(r->settle(usage(500'000, 10'000)) == 600'000'000);  // $0.50 + $0.10
  st = adm.budgets_of(*p, *p->find_key("alice"));
  CHECK(st[0].scope == "key");
  CHECK(st[0].spent_nano == 600'000'000);
  CHECK(st[0].reserved_nano == 0);
  CHECK(st[1].scope == "team");
  CHECK(st[1].spent_nano == 600'000'000);
  CHECK(st[2].scope == "org");
  CHECK(st[2].spent_nano == 600'000'000);
  CHECK(st[0].resets_at_ms == test::k_t0 - 19 * 3600000 - 34 * 60000 - 15000 + 86400000);
}

TEST_CASE("Admission: a budget denial says which budget, the spend, the limit and the reset") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  auto r = adm.admit(request_for(*p, "alice", "test-model", 4'980'000, 0));
  REQUIRE(r.has_value());
  r->settle(usage(4'980'000, 0));  // $4.98
  auto d = adm.admit(request_for(*p, "alice", "test-model", 10'000, 10'000));  // $0.11
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().kind == limits::Denial::Kind::budget);
  CHECK(d.error().message() ==
        "budget 'daily' of key alice exhausted: $4.98 of $5.00 spent; this request may cost up to "
        "$0.11; resets 2026-11-25T00:00Z");
  CHECK_FALSE(d.error().is_rate_limit());
}

TEST_CASE("Admission: a request must fit every level; the team budget binds both members") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  adm.admit(request_for(*p, "alice", "test-model", 4'500'000, 0))->settle(usage(4'500'000, 0));
  adm.admit(request_for(*p, "bob", "test-model", 3'000'000, 0))->settle(usage(3'000'000, 0));
  // Bob has $2 left on his key but the team has only $0.50 left.
  auto d = adm.admit(request_for(*p, "bob", "test-model", 1'000'000, 0));
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().message() ==
        "budget 'daily' of team platform exhausted: $7.50 of $8.00 spent; this request may cost up "
        "to $1.00; resets 2026-11-25T00:00Z");
  // A refused request reserves nothing anywhere.
  CHECK(adm.budgets_of(*p, *p->find_key("bob"))[0].reserved_nano == 0);
}

TEST_CASE("Admission: in-flight reservations count against the budget") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  auto a = adm.admit(request_for(*p, "alice", "test-model", 3'000'000, 0));
  REQUIRE(a.has_value());
  auto d = adm.admit(request_for(*p, "alice", "test-model", 3'000'000, 0));
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().message() ==
        "budget 'daily' of key alice exhausted: $0.00 of $5.00 spent (+$3.00 held by requests in "
        "flight); this request may cost up to $3.00; resets 2026-11-25T00:00Z");
  a->release();
  CHECK(adm.admit(request_for(*p, "alice", "test-model", 3'000'000, 0)).has_value());
}

TEST_CASE("Admission: spend resets at the calendar boundary") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  adm.admit(request_for(*p, "alice", "test-model", 5'000'000, 0))->settle(usage(5'000'000, 0));
  CHECK_FALSE(adm.admit(request_for(*p, "alice", "test-model", 1, 0)).has_value());
  clock.set(1795564800000);  // 2026-11-25T00:00:00Z
  CHECK(adm.admit(request_for(*p, "alice", "test-model", 1, 0)).has_value());
}

TEST_CASE("Admission: a rolling budget frees spend gradually") {
  auto p = policy_from(R"(
[prices.m]
input = 1.0
output = 1.0
[keys.k]
providers = ["anthropic"]
models = ["*"]
budgets.h = { usd = 1, period = "hour", window = "rolling" }
)");
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  adm.admit(request_for(*p, "k", "m", 1'000'000, 0))->settle(usage(1'000'000, 0));
  auto d = adm.admit(request_for(*p, "k", "m", 1, 0));
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().message().ends_with("; frees up from 2026-11-24T20:35Z"));
  clock.advance(30 * 60000);
  CHECK_FALSE(adm.admit(request_for(*p, "k", "m", 1, 0)).has_value());
  clock.advance(31 * 60000);
  CHECK(adm.admit(request_for(*p, "k", "m", 1, 0)).has_value());
}

TEST_CASE("Admission: count_tokens is not billed or limited") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  auto req = request_for(*p, "alice", "test-model", 100'000'000, 0);
  req.billable = false;
  auto r = adm.admit(req);
  REQUIRE(r.has_value());
  CHECK_FALSE(r->active());
}

TEST_CASE("Admission: a model without a price is refused when a budget applies") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  auto d = adm.admit(request_for(*p, "alice", "mystery-1", 10, 10));
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().message() ==
        "no price is known for model 'mystery-1', so the budgets of key alice cannot be enforced; "
        "add it under [prices] in the policy");
}

TEST_CASE("estimate: input from body size, output from the request or the policy cap") {
  config::ReservationPolicy rp;
  CHECK(limits::estimate_input_tokens(3001, rp) == 1001);
  CHECK(limits::reserve_output_tokens(std::nullopt, rp) == 32000);
  CHECK(limits::reserve_output_tokens(64000, rp) == 64000);
  CHECK(limits::reserve_output_tokens(1'000'000, rp) == 128000);
}
