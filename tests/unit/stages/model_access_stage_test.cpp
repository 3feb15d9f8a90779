#include <doctest/doctest.h>

#include "core/stages/model_access_stage.hpp"
#include "tests/unit/stages/policy_stage_fixture.hpp"

using namespace gw;

namespace {
const char* k_policy = R"(
[keys.alice]
providers = ["anthropic", "openai"]
models = ["claude-*", "gpt-5-codex"]
deny_models = ["claude-opus-*"]
)";
}

TEST_CASE("ModelAccessStage: an allowed model proceeds") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  stages::ModelAccessStage stage;
  auto ex = test::exchange_for(anthropic, test::stage_policy(k_policy), "alice", "claude-sonnet-4-5");
  CHECK(stage.on_request(ex) == pipeline::StageStatus::proceed);
  CHECK_FALSE(ex.reply.has_value());
}

TEST_CASE("ModelAccessStage: a denied model -> 400 for Claude naming the model and what is allowed") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  stages::ModelAccessStage stage;
  auto ex = test::exchange_for(anthropic, test::stage_policy(k_policy), "alice", "claude-opus-4-5");
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::respond);
  CHECK(ex.reply->status == 400);
  CHECK(ex.outcome == pipeline::Outcome::denied);
  CHECK(test::reply_message(ex) ==
        "gw: model 'claude-opus-4-5' at anthropic is not allowed for key 'alice'. This key may use: "
        "claude-*, gpt-5-codex except claude-opus-* (providers: anthropic, openai). Pick one of "
        "those (e.g. with --model) or ask your platform team.");
}

TEST_CASE("ModelAccessStage: a provider the key may not use is refused (403 for Gemini)") {
  test::ShapeProvider gemini(providers::ApiKind::gemini);
  stages::ModelAccessStage stage;
  auto ex = test::exchange_for(gemini, test::stage_policy(k_policy), "alice", "gemini-2.5-pro");
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::respond);
  CHECK(ex.reply->status == 403);
}

TEST_CASE("ModelAccessStage: a request without a model is refused clearly") {
  test::ShapeProvider openai(providers::ApiKind::openai);
  stages::ModelAccessStage stage;
  auto ex = test::exchange_for(openai, test::stage_policy(k_policy), "alice", "");
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::respond);
  CHECK(ex.reply->status == 400);
  CHECK(test::reply_message(ex) ==
        "gw: the request names no model (the 'model' field is missing or not a string).");
}

TEST_CASE("ModelAccessStage: routes without a model (model lists) pass") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  stages::ModelAccessStage stage;
  auto ex = test::exchange_for(anthropic, test::stage_policy(k_policy), "alice", "");
  ex.route = providers::Route{providers::Endpoint::models, false, false, "", false};
  CHECK(stage.on_request(ex) == pipeline::StageStatus::proceed);
}
