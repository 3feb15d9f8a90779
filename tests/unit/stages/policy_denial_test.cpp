#include <doctest/doctest.h>

#include "core/limits/spend_store.hpp"
#include "core/stages/limits_stage.hpp"
#include "core/stages/policy_denial.hpp"
#include "tests/unit/stages/policy_stage_fixture.hpp"

using namespace gw;

namespace {
constexpr int64_t k_t0 = 1795548855000;  // 2026-11-24T19:34:15Z

limits::Denial rpm_denial(int64_t retry_after_ms) {
  limits::Denial d;
  d.kind = limits::Denial::Kind::requests_per_minute;
  d.scope = "key";
  d.scope_id = "alice";
  d.limit_value = 3;
  d.retry_after_ms = retry_after_ms;
  return d;
}

pipeline::Exchange exchange(const providers::Provider& p, const std::string& agent) {
  pipeline::Exchange ex;
  ex.id = "req_test";
  ex.provider = &p;
  ex.agent = agent;
  return ex;
}
}  // namespace

TEST_CASE("policy denial: a short rate-limit wait is a 429 with retry-after for every agent") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  for (const char* agent : {"claude-code", "codex", "gemini-cli", "other", ""}) {
    CAPTURE(agent);
    auto ex = exchange(anthropic, agent);
    stages::deny_for_limit(ex, rpm_denial(20000), k_t0);  // exactly the longest wait asked for
    REQUIRE(ex.reply);
    CHECK(ex.reply->status == 429);
    CHECK(ex.reply->headers.get("retry-after") == "20");
    CHECK(test::reply_message(ex) == "gw: rate limit of key alice: 3 requests per minute; retry in 20s");
    CHECK(ex.reason_code == "rpm");
  }
}

TEST_CASE("policy denial: a long rate-limit wait is refused at once with the time to retry (Claude Code, Codex: 400)") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  test::ShapeProvider openai(providers::ApiKind::openai);
  const std::pair<const char*, const providers::Provider*> cases[] = {{"claude-code", &anthropic},
                                                                      {"codex", &openai}};
  for (auto [agent, provider] : cases) {
    CAPTURE(agent);
    auto ex = exchange(*provider, agent);
    stages::deny_for_limit(ex, rpm_denial(20001), k_t0);  // rounds up to 21 s
    REQUIRE(ex.reply);
    CHECK(ex.reply->status == 400);
    CHECK_FALSE(ex.reply->headers.has("retry-after"));
    CHECK(test::reply_message(ex) ==
          "gw: rate limit of key alice: 3 requests per minute; retry in 21s (at "
          "2026-11-24T19:34:35Z); refused now instead of making the agent wait that long. Send it "
          "again then, or ask your platform team to raise the limit.");
    CHECK(ex.reason_code == "rpm");  // still counted as a rate-limit denial
  }
}

TEST_CASE("policy denial: a long rate-limit wait for Gemini CLI is a 403 without RetryInfo") {
  test::ShapeProvider gemini(providers::ApiKind::gemini);
  auto ex = exchange(gemini, "gemini-cli");
  stages::deny_for_limit(ex, rpm_denial(45000), k_t0);
  REQUIRE(ex.reply);
  CHECK(ex.reply->status == 403);
  CHECK_FALSE(ex.reply->headers.has("retry-after"));
  CHECK(test::reply_message(ex).find("retry in 45s (at 2026-11-24T19:35:00Z)") != std::string::npos);
}

TEST_CASE("policy denial: clients gw does not know always get 429 with the full wait") {
  test::ShapeProvider openai(providers::ApiKind::openai);
  CHECK_FALSE(stages::max_retry_wait_s("other").has_value());
  auto ex = exchange(openai, "other");
  stages::deny_for_limit(ex, rpm_denial(59500), k_t0);
  REQUIRE(ex.reply);
  CHECK(ex.reply->status == 429);
  CHECK(ex.reply->headers.get("retry-after") == "60");
}

TEST_CASE("policy denial: budgets are refused without retry-after whatever the agent") {
  test::ShapeProvider gemini(providers::ApiKind::gemini);
  limits::Denial d;
  d.kind = limits::Denial::Kind::budget;
  d.scope = "team";
  d.scope_id = "platform";
  d.limit_name = "daily";
  d.spent_nano = 1'000'000'000;
  d.limit_nano = 1'000'000'000;
  d.request_nano = 10'000'000;
  auto ex = exchange(gemini, "other");
  stages::deny_for_limit(ex, d, k_t0);
  CHECK(ex.reply->status == 403);
  CHECK_FALSE(ex.reply->headers.has("retry-after"));
  CHECK(test::reply_message(ex) ==
        "gw: budget 'daily' of team platform exhausted: $1.00 of $1.00 spent; this request may "
        "cost up to $0.01");
  CHECK(ex.reason_code == "budget");
}

TEST_CASE("policy denial: the concurrency limit (1 s) stays a 429 for every agent") {
  test::ShapeProvider openai(providers::ApiKind::openai);
  limits::Denial d;
  d.kind = limits::Denial::Kind::concurrency;
  d.scope = "key";
  d.scope_id = "alice";
  d.limit_value = 1;
  d.retry_after_ms = 1000;
  auto ex = exchange(openai, "codex");
  stages::deny_for_limit(ex, d, k_t0);
  CHECK(ex.reply->status == 429);
  CHECK(ex.reply->headers.get("retry-after") == "1");
}

TEST_CASE("LimitsStage: Claude Code over a tokens-per-minute limit with a long wait gets a readable 400") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  FakeClock clock(k_t0);
  limits::MemorySpendStore store;
  limits::Admission admission(clock, store);
  stages::LimitsStage stage(admission);
  auto policy = test::stage_policy(R"(
[keys.alice]
providers = ["anthropic"]
models = ["*"]
limits = { tokens_per_minute = 1000 }
)");
  auto first = test::exchange_for(anthropic, policy, "alice", "m");
  first.agent = "claude-code";
  first.info.max_output_tokens = 900;
  REQUIRE(stage.on_request(first) == pipeline::StageStatus::proceed);
  auto second = test::exchange_for(anthropic, policy, "alice", "m");
  second.agent = "claude-code";
  second.info.max_output_tokens = 900;
  REQUIRE(stage.on_request(second) == pipeline::StageStatus::respond);
  CHECK(second.reply->status == 400);
  CHECK(second.reason_code == "tpm");
  const std::string msg = test::reply_message(second);
  CHECK_MESSAGE(msg.starts_with("gw: token rate limit of key alice: 1000 tokens per minute"), msg);
  CHECK_MESSAGE(msg.find("(at 2026-11-24T19:35:") != std::string::npos, msg);
  // The same denial for a client gw does not know is a plain 429 with the wait.
  second.agent = "other";
  second.reply.reset();
  REQUIRE(stage.on_request(second) == pipeline::StageStatus::respond);
  CHECK(second.reply->status == 429);
  CHECK(second.reply->headers.has("retry-after"));
  stage.on_complete(first);
}
