#include <doctest/doctest.h>

#include "tests/unit/limits/limits_fixture.hpp"

using namespace gw;
using gw::test::k_t0;
using gw::test::policy_from;
using gw::test::request_for;

namespace {
const char* k_policy = R"(
[keys.alice]
providers = ["anthropic"]
models = ["*"]
limits = { requests_per_minute = 6, tokens_per_minute = 10000, concurrent = 2 }
)";
}

TEST_CASE("Rate limits: requests per minute use GCRA and say when to retry") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  for (int i = 0; i < 6; ++i) {
    auto r = adm.admit(request_for(*p, "alice", "claude-haiku-4-5", 1, 1));
    REQUIRE(r.has_value());
    r->settle({});
  }
  auto d = adm.admit(request_for(*p, "alice", "claude-haiku-4-5", 1, 1));
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().kind == limits::Denial::Kind::requests_per_minute);
  CHECK(d.error().retry_after_seconds() == 10);
  CHECK(d.error().message() == "rate limit of key alice: 6 requests per minute; retry in 10s");
  clock.advance(9999);
  CHECK_FALSE(adm.admit(request_for(*p, "alice", "claude-haiku-4-5", 1, 1)).has_value());
  clock.advance(1);
  CHECK(adm.admit(request_for(*p, "alice", "claude-haiku-4-5", 1, 1)).has_value());
}

TEST_CASE("Rate limits: tokens per minute reserve at admission and refund unused tokens") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  auto a = adm.admit(request_for(*p, "alice", "claude-haiku-4-5", 2000, 6000));
  REQUIRE(a.has_value());
  auto d = adm.admit(request_for(*p, "alice", "claude-haiku-4-5", 2000, 6000));
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().message() ==
        "token rate limit of key alice: 10000 tokens per minute (this request may use up to 8000); "
        "retry in 36s");
  config::Usage u;
  u.input_tokens = 2000;
  u.output_tokens = 1000;  // 5000 of the 8000 reserved tokens come back
  a->settle(u);
  CHECK(adm.admit(request_for(*p, "alice", "claude-haiku-4-5", 2000, 5000)).has_value());
}

TEST_CASE("Rate limits: concurrency counts requests in flight") {
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  auto a = adm.admit(request_for(*p, "alice", "claude-haiku-4-5", 1, 1));
  auto b = adm.admit(request_for(*p, "alice", "claude-haiku-4-5", 1, 1));
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  auto d = adm.admit(request_for(*p, "alice", "claude-haiku-4-5", 1, 1));
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().message() == "key alice already has 2 requests in flight (the limit); retry in 1s");
  CHECK(d.error().is_rate_limit());
  b->settle({});
  CHECK(adm.admit(request_for(*p, "alice", "claude-haiku-4-5", 1, 1)).has_value());
}
