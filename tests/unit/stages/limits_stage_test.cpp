#include <doctest/doctest.h>

#include "core/stages/limits_stage.hpp"
#include "tests/unit/stages/policy_stage_fixture.hpp"

using namespace gw;

namespace {
const char* k_policy = R"(
[prices.m]
input = 1.0
output = 10.0
[keys.alice]
providers = ["anthropic", "openai", "gemini"]
models = ["*"]
budgets.daily = { usd = 1, period = "day" }
limits = { requests_per_minute = 1 }
)";
constexpr int64_t k_t0 = 1795548855000;  // 2026-11-24T19:34:15Z
}  // namespace

TEST_CASE("LimitsStage: reserves on request and settles the reported usage on completion") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission admission(clock, store);
  stages::LimitsStage stage(admission);
  auto policy = test::stage_policy(k_policy);
  auto ex = test::exchange_for(anthropic, policy, "alice", "m");
  ex.request.body = std::string(3000, 'x');  // ~1000 input tokens
  ex.info.max_output_tokens = 1000;
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::proceed);
  CHECK(admission.budgets_of(*policy, *policy->find_key("alice"))[0].reserved_nano == 11'000'000);
  ex.upstream = nullptr;
  ex.t.upstream_start_ns = 1;
  ex.usage.reported = true;
  ex.usage.input = 500;
  ex.usage.output = 100;
  ex.outcome = pipeline::Outcome::completed;
  stage.on_complete(ex);
  CHECK(ex.cost_nano_usd == 1'500'000);
  auto st = admission.budgets_of(*policy, *policy->find_key("alice"));
  CHECK(st[0].reserved_nano == 0);
  CHECK(st[0].spent_nano == 1'500'000);
}

TEST_CASE("LimitsStage: a rate limit -> 429 with retry-after in the provider's shape") {
  test::ShapeProvider openai(providers::ApiKind::openai);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission admission(clock, store);
  stages::LimitsStage stage(admission);
  auto policy = test::stage_policy(k_policy);
  auto first = test::exchange_for(openai, policy, "alice", "m");
  REQUIRE(stage.on_request(first) == pipeline::StageStatus::proceed);
  stage.on_complete(first);  // never reached upstream: released, not charged
  CHECK(first.cost_nano_usd == 0);
  auto ex = test::exchange_for(openai, policy, "alice", "m");
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::respond);
  CHECK(ex.reply->status == 429);
  CHECK(ex.reply->headers.get("retry-after") == "60");
  CHECK(test::reply_message(ex) == "gw: rate limit of key alice: 1 requests per minute; retry in 60s");
}

TEST_CASE("LimitsStage: an exhausted budget is refused without retry (400 for Claude)") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission admission(clock, store);
  stages::LimitsStage stage(admission);
  auto policy = test::stage_policy(k_policy);
  auto ex = test::exchange_for(anthropic, policy, "alice", "m");
  ex.info.max_output_tokens = 200'000;  // capped at 128000 output tokens = $1.28 > $1.00
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::respond);
  CHECK(ex.reply->status == 400);
  CHECK_FALSE(ex.reply->headers.has("retry-after"));
  CHECK(test::reply_message(ex) ==
        "gw: budget 'daily' of key alice exhausted: $0.00 of $1.00 spent; this request may cost up "
        "to $1.28; resets 2026-11-25T00:00Z");
}

TEST_CASE("LimitsStage: a cut stream without usage is charged from what was seen") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission admission(clock, store);
  stages::LimitsStage stage(admission);
  auto policy = test::stage_policy(k_policy);
  auto ex = test::exchange_for(anthropic, policy, "alice", "m");
  ex.request.body = std::string(3000, 'x');
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::proceed);
  ex.t.upstream_start_ns = 1;
  ex.outcome = pipeline::Outcome::stream_cut;
  ex.bytes_out = 4000;  // ~1000 output tokens relayed
  stage.on_complete(ex);
  CHECK(ex.cost_nano_usd == 1000 * 1000 + 1000 * 10'000);
}

TEST_CASE("LimitsStage: count_tokens is not billed") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission admission(clock, store);
  stages::LimitsStage stage(admission);
  auto policy = test::stage_policy(k_policy);
  for (int i = 0; i < 3; ++i) {
    auto ex = test::exchange_for(anthropic, policy, "alice", "m");
    ex.route = providers::Route{providers::Endpoint::count_tokens, false, true, "", false};
    CHECK(stage.on_request(ex) == pipeline::StageStatus::proceed);
  }
}

#include "tests/support/temp_dir.hpp"

TEST_CASE("LimitsStage: each charged request is recorded for `gw usage`") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission admission(clock, store);
  test::TempDir dir;
  auto log = limits::UsageLog::open(dir.path() / "spend.db");
  REQUIRE(log.has_value());
  stages::LimitsStage stage(admission, log->get());
  auto ex = test::exchange_for(anthropic, test::stage_policy(k_policy), "alice", "m");
  ex.agent = "claude-code";
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::proceed);
  ex.t.upstream_start_ns = 1;
  ex.usage.reported = true;
  ex.usage.input = 1000;
  ex.outcome = pipeline::Outcome::completed;
  stage.on_complete(ex);
  auto rows = (*log)->summarize(limits::UsageGroup::agent, 0);
  REQUIRE(rows.has_value());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].group == "claude-code");
  CHECK((*rows)[0].cost_nano_usd == 1'000'000);
}
