#include <doctest/doctest.h>

#include "core/common/clock.hpp"
#include "core/stages/policy_validity_stage.hpp"
#include "tests/unit/stages/policy_stage_fixture.hpp"

using namespace gw;

namespace {
const char* k_policy = R"(
[keys.alice]
providers = ["anthropic"]
models = ["claude-*"]
)";

std::shared_ptr<const config::Policy> bundled(bool fail_open) {
  auto p = std::make_shared<config::Policy>(*test::stage_policy(k_policy));
  p->validity = config::Policy::Validity{1'000'000, fail_open, "bundle v7 (acme)"};
  return p;
}
}  // namespace

TEST_CASE("PolicyValidityStage: a bundle policy within expiry + grace proceeds") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  FakeClock clock(999'999'000);
  stages::PolicyValidityStage stage(clock);
  auto ex = test::exchange_for(anthropic, bundled(false), "alice", "claude-sonnet-4-5");
  CHECK(stage.on_request(ex) == pipeline::StageStatus::proceed);
}

TEST_CASE("PolicyValidityStage: past expiry + grace, fail closed refuses and says how to reconnect") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  FakeClock clock(1'000'000'000);
  stages::PolicyValidityStage stage(clock);
  auto ex = test::exchange_for(anthropic, bundled(false), "alice", "claude-sonnet-4-5");
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::respond);
  CHECK(ex.reply->status == 400);
  std::string msg = test::reply_message(ex);
  CHECK(msg.find("in force (bundle v7 (acme)) is out of date") != std::string::npos);
  CHECK(msg.find("1970-01-12 13:46 UTC") != std::string::npos);
  CHECK(msg.find("Reconnect") != std::string::npos);
}

TEST_CASE("PolicyValidityStage: past expiry + grace, fail open proceeds and marks the exchange") {
  test::ShapeProvider gemini(providers::ApiKind::gemini);
  FakeClock clock(1'000'000'000);
  stages::PolicyValidityStage stage(clock);
  auto ex = test::exchange_for(gemini, bundled(true), "alice", "claude-sonnet-4-5");
  CHECK(stage.on_request(ex) == pipeline::StageStatus::proceed);
  CHECK(ex.reason.find("running fail-open") != std::string::npos);
}

TEST_CASE("PolicyValidityStage: a policy not from a bundle always proceeds") {
  test::ShapeProvider openai(providers::ApiKind::openai);
  FakeClock clock(4'000'000'000'000);
  stages::PolicyValidityStage stage(clock);
  auto ex = test::exchange_for(openai, test::stage_policy(k_policy), "alice", "gpt-5");
  CHECK(stage.on_request(ex) == pipeline::StageStatus::proceed);
}
