#include <doctest/doctest.h>

#include "core/scan/body_scan.hpp"
#include "core/stages/response_guard.hpp"
#include "core/stages/scan_stage.hpp"
#include "tests/unit/stages/policy_stage_fixture.hpp"

using namespace gw;

namespace {

const std::string k_aws = "AKIAZ7VRSQ5BXMNKW4HP";

std::shared_ptr<const config::Policy> guard_policy(const std::string& guardrails) {
  return test::stage_policy("[keys.alice]\nproviders = [\"anthropic\", \"openai\", \"gemini\"]\nmodels = [\"*\"]\n" +
                            guardrails);
}

std::string anthropic_body(const std::string& tool_result) {
  nlohmann::json b = {{"model", "m"},
                      {"max_tokens", 100},
                      {"messages",
                       {{{"role", "user"}, {"content", "read the config"}},
                        {{"role", "assistant"},
                         {"content", {{{"type", "tool_use"}, {"id", "t1"}, {"name", "Read"}, {"input", {{"path", "a.env"}}}}}}},
                        {{"role", "user"},
                         {"content", {{{"type", "tool_result"}, {"tool_use_id", "t1"}, {"content", tool_result}}}}}}}};
  return b.dump();
}

pipeline::Exchange exchange(const providers::Provider& p, std::shared_ptr<const config::Policy> policy, std::string body) {
  auto ex = test::exchange_for(p, std::move(policy), "alice", "m");
  ex.request.body = std::move(body);
  ex.agent_session = "s1";
  return ex;
}

}  // namespace

TEST_CASE("ScanStage: block -> refused in the provider's shape, naming rule and place, never the value") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  auto policy = guard_policy("[guardrails]\nactions = { default = \"block\" }\n");
  stages::GuardrailState state;
  stages::ScanStage stage(&state);
  auto ex = exchange(anthropic, policy, anthropic_body("AWS_ACCESS_KEY_ID=" + k_aws + "\n"));
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::respond);
  CHECK(ex.reply->status == 400);
  std::string msg = test::reply_message(ex);
  CHECK(msg.find("aws-access-key-id at messages[2].content[0].content line 1") != std::string::npos);
  CHECK(msg.find(k_aws) == std::string::npos);
  REQUIRE(ex.findings.size() == 1);
  CHECK(ex.findings[0].rule_id == "aws-access-key-id");
  CHECK(ex.findings[0].location == "messages[2].content[0].content:1:19");
  CHECK(ex.findings[0].action == "block");
  CHECK(ex.findings[0].fingerprint.size() == 16);
  CHECK(state.to_json()["requests"]["blocked"] == 1);

  test::ShapeProvider gemini(providers::ApiKind::gemini);
  nlohmann::json gbody = {{"contents", {{{"role", "user"}, {"parts", {{{"text", "key " + k_aws}}}}}}}};
  auto gex = exchange(gemini, policy, gbody.dump());
  REQUIRE(stage.on_request(gex) == pipeline::StageStatus::respond);
  CHECK(gex.reply->status == 403);
}

TEST_CASE("ScanStage: redact -> the secret replaced by its placeholder, the rest byte-identical") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  auto policy = guard_policy("[guardrails]\nactions = { default = \"redact\" }\n");
  stages::ScanStage stage(nullptr);
  std::string body = anthropic_body("AWS_ACCESS_KEY_ID=" + k_aws + "\n");
  auto ex = exchange(anthropic, policy, body);
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::proceed);
  REQUIRE(ex.findings.size() == 1);
  std::string ph = "[REDACTED:aws-access-key-id:" + ex.findings[0].fingerprint.substr(0, 8) + "]";
  size_t at = body.find(k_aws);
  std::string expected = body.substr(0, at) + ph + body.substr(at + k_aws.size());
  CHECK(ex.request.body == expected);
  CHECK(nlohmann::json::accept(ex.request.body));
  CHECK(ex.findings[0].action == "redact");
}

TEST_CASE("ScanStage: alert forwards unchanged; allowlisted fingerprints and rules set off are silent") {
  test::ShapeProvider openai(providers::ApiKind::openai);
  nlohmann::json body = {{"model", "m"},
                         {"input", {{{"type", "function_call"}, {"call_id", "c"}, {"name", "sh"},
                                     {"arguments", nlohmann::json({{"cmd", "export K=" + k_aws}}).dump()}}}}};
  stages::ScanStage stage(nullptr);
  auto alert = exchange(openai, guard_policy("[guardrails]\n"), body.dump());
  REQUIRE(stage.on_request(alert) == pipeline::StageStatus::proceed);
  CHECK(alert.request.body == body.dump());
  REQUIRE(alert.findings.size() == 1);
  CHECK(alert.findings[0].action == "alert");
  CHECK(alert.findings[0].location.starts_with("input[0].arguments:"));

  std::string fp8 = alert.findings[0].fingerprint.substr(0, 8);
  auto allowed = exchange(openai, guard_policy("[guardrails]\nactions = { default = \"block\" }\nallow_fingerprints = [\"" + fp8 + "\"]\n"),
                          body.dump());
  CHECK(stage.on_request(allowed) == pipeline::StageStatus::proceed);
  CHECK(allowed.findings.empty());

  auto off = exchange(openai, guard_policy("[guardrails.actions]\ndefault = \"block\"\ntags = { aws = \"off\" }\n"), body.dump());
  CHECK(stage.on_request(off) == pipeline::StageStatus::proceed);
  CHECK(off.findings.empty());
}

TEST_CASE("ScanStage: precedence is rule id, then tag, then category, then default") {
  auto policy = guard_policy(
      "[guardrails.actions]\ndefault = \"alert\"\ncategories = { secret = \"block\" }\n"
      "tags = { aws = \"redact\" }\nrules = { \"github-pat\" = \"alert\" }\n");
  const auto& a = policy->guardrails.actions;
  CHECK(a.by_rule.at("aws-access-key-id") == scan::Action::redact);
  CHECK(a.by_rule.at("github-pat") == scan::Action::alert);
  CHECK(a.by_rule.at("stripe-secret-key") == scan::Action::block);
  CHECK(a.by_rule.at("email-address") == scan::Action::alert);
}

TEST_CASE("ScanStage: the second turn of a session scans only its new blocks") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  auto policy = guard_policy("[guardrails]\n");
  stages::GuardrailState state;
  stages::ScanStage stage(&state);
  auto first = exchange(anthropic, policy, anthropic_body("x = 1\n"));
  stage.on_request(first);
  auto j = nlohmann::json::parse(anthropic_body("x = 1\n"));
  j["messages"].push_back({{"role", "assistant"}, {"content", "done"}});
  auto second = exchange(anthropic, policy, j.dump());
  stage.on_request(second);
  auto c = state.to_json()["requests"];
  CHECK(c["scanned"] == 2);
  // turn 1: model + messages[0..2] (numbers are no blocks); turn 2: those four, cached, + messages[3].
  CHECK(c["blocks"] == 9);
  CHECK(c["blocks_cached"] == 4);
}

TEST_CASE("ScanStage: an unparsable body is refused by default, forwarded when policy says so") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  stages::ScanStage stage(nullptr);
  auto ex = exchange(anthropic, guard_policy("[guardrails]\n"), "{not json");
  REQUIRE(stage.on_request(ex) == pipeline::StageStatus::respond);
  CHECK(test::reply_message(ex).find("guardrails.on_unscannable") != std::string::npos);
  auto fwd = exchange(anthropic, guard_policy("[guardrails]\non_unscannable = \"forward\"\n"), "{not json");
  CHECK(stage.on_request(fwd) == pipeline::StageStatus::proceed);
}

namespace {
std::string delta(const std::string& text, int index = 0) {
  return "event: content_block_delta\ndata: " +
         nlohmann::json{{"type", "content_block_delta"}, {"index", index},
                        {"delta", {{"type", "text_delta"}, {"text", text}}}}.dump() + "\n\n";
}
std::string text_of(const std::string& sse) {
  std::string out;
  size_t pos = 0;
  while ((pos = sse.find("data: ", pos)) != std::string::npos) {
    size_t nl = sse.find('\n', pos);
    auto j = nlohmann::json::parse(sse.substr(pos + 6, nl - pos - 6));
    if (j.value("type", "") == "content_block_delta") out += j["delta"]["text"].get<std::string>();
    pos = nl;
  }
  return out;
}
}  // namespace

TEST_CASE("Response guard: redact rewrites a secret split across deltas, other events byte for byte") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  auto policy = guard_policy("[guardrails.responses]\naction = \"redact\"\nwindow_bytes = 128\n");
  auto ex = exchange(anthropic, policy, "{}");
  auto guard = stages::make_response_guard(policy->guardrails, providers::ApiKind::anthropic, nullptr);
  guard->begin(ex, 200, true);
  REQUIRE(guard->rewrites());
  std::string start = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n";
  std::string stop = "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
  std::string out;
  guard->write(ex, start + delta("the key is AKIAZ7VR"), out);
  CHECK(out == start);  // the delta is held: a secret may continue in the next event
  guard->write(ex, delta("SQ5BXMNKW4HP, keep it safe"), out);
  guard->write(ex, stop.substr(0, 10), out);
  guard->write(ex, stop.substr(10), out);
  guard->finish(ex, out);
  REQUIRE(ex.findings.size() == 1);
  CHECK(ex.findings[0].location == "response:text.content[0]");
  std::string ph = "[REDACTED:aws-access-key-id:" + ex.findings[0].fingerprint.substr(0, 8) + "]";
  CHECK(text_of(out) == "the key is " + ph + ", keep it safe");
  CHECK(out.find(k_aws.substr(8)) == std::string::npos);
  CHECK(out.ends_with(stop));
}

TEST_CASE("Response guard: text far from any secret is released once it is a window behind") {
  test::ShapeProvider anthropic(providers::ApiKind::anthropic);
  auto policy = guard_policy("[guardrails.responses]\naction = \"redact\"\nwindow_bytes = 128\n");
  auto ex = exchange(anthropic, policy, "{}");
  auto guard = stages::make_response_guard(policy->guardrails, providers::ApiKind::anthropic, nullptr);
  guard->begin(ex, 200, true);
  std::string out;
  std::string first = delta(std::string(100, 'a'));
  guard->write(ex, first, out);
  CHECK(out.empty());
  guard->write(ex, delta(std::string(200, 'b')), out);
  CHECK(out == first);  // byte for byte
}

TEST_CASE("Response guard: alert leaves the bytes to the relay and records findings; errors are not scanned") {
  test::ShapeProvider openai(providers::ApiKind::openai);
  auto policy = guard_policy("[guardrails]\n");
  auto ex = exchange(openai, policy, "{}");
  auto guard = stages::make_response_guard(policy->guardrails, providers::ApiKind::openai, nullptr);
  guard->begin(ex, 200, false);
  CHECK_FALSE(guard->rewrites());
  std::string out;
  std::string body = nlohmann::json{{"output", {{{"type", "message"}, {"content", {{{"type", "output_text"}, {"text", "use " + k_aws}}}}}}}}.dump();
  guard->write(ex, body, out);
  guard->finish(ex, out);
  CHECK(out.empty());
  REQUIRE(ex.findings.size() == 1);
  CHECK(ex.findings[0].location == "response:output[0].content[0].text");
  auto err = exchange(openai, policy, "{}");
  auto g2 = stages::make_response_guard(policy->guardrails, providers::ApiKind::openai, nullptr);
  g2->begin(err, 500, false);
  g2->write(err, body, out);
  g2->finish(err, out);
  CHECK(err.findings.empty());
}
