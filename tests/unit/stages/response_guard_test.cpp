// The response guard on streamed tool-call arguments, reasoning text and multi-part Gemini chunks
// (the text-delta cases are in scan_stage_test.cpp).
#include <doctest/doctest.h>

#include "core/stages/response_guard.hpp"
#include "core/stages/response_events.hpp"
#include "tests/unit/stages/policy_stage_fixture.hpp"

using namespace gw;
using nlohmann::json;

namespace {

const std::string k_aws = "AKIAZ7VRSQ5BXMNKW4HP";

struct Run {
  pipeline::Exchange ex;
  std::string out;
};

// Streams `events` (SSE data objects, one event each) of `api` through a response guard with
// [guardrails.responses] action = `action`.
Run stream(providers::ApiKind api, const std::string& action, const std::vector<json>& events, bool crlf = false) {
  static test::ShapeProvider provider(providers::ApiKind::anthropic);
  auto policy = test::stage_policy("[keys.alice]\nproviders = [\"anthropic\", \"openai\", \"gemini\"]\nmodels = [\"*\"]\n"
                                   "[guardrails.responses]\naction = \"" + action + "\"\nwindow_bytes = 128\n");
  Run r{test::exchange_for(provider, policy, "alice", "m"), ""};
  auto guard = stages::make_response_guard(policy->guardrails, api, nullptr);
  REQUIRE(guard);
  guard->begin(r.ex, 200, true);
  for (const json& e : events) {
    std::string sep = crlf ? "\r\n\r\n" : "\n\n";
    std::string raw = (e.contains("type") ? "event: " + e["type"].get<std::string>() + (crlf ? "\r\n" : "\n") : "") +
                      "data: " + e.dump() + sep;
    guard->write(r.ex, raw, r.out);
  }
  guard->finish(r.ex, r.out);
  return r;
}

std::vector<json> datas(const std::string& sse) {
  std::vector<json> out;
  size_t pos = 0;
  while ((pos = sse.find("data: ", pos)) != std::string::npos) {
    size_t nl = sse.find_first_of("\r\n", pos);
    out.push_back(json::parse(sse.substr(pos + 6, nl - pos - 6)));
    pos = nl;
  }
  return out;
}

std::string placeholder(const pipeline::Exchange& ex) {
  REQUIRE(!ex.findings.empty());
  return "[REDACTED:aws-access-key-id:" + ex.findings[0].fingerprint.substr(0, 8) + "]";
}

json anthropic_delta(int index, const json& delta) {
  return {{"type", "content_block_delta"}, {"index", index}, {"delta", delta}};
}

std::vector<json> anthropic_tool_stream(const std::string& args) {
  std::vector<json> ev = {{{"type", "message_start"}, {"message", {{"id", "m1"}}}},
                          {{"type", "content_block_start"}, {"index", 0},
                           {"content_block", {{"type", "tool_use"}, {"id", "t1"}, {"name", "Bash"}, {"input", json::object()}}}}};
  for (size_t i = 0; i < args.size(); i += 7)
    ev.push_back(anthropic_delta(0, {{"type", "input_json_delta"}, {"partial_json", args.substr(i, 7)}}));
  ev.push_back({{"type", "content_block_stop"}, {"index", 0}});
  ev.push_back({{"type", "message_stop"}});
  return ev;
}

}  // namespace

TEST_CASE("Response guard: a secret in streamed Anthropic tool input (input_json_delta) is redacted") {
  std::string args = json{{"command", "aws configure set aws_access_key_id " + k_aws}}.dump();
  auto r = stream(providers::ApiKind::anthropic, "redact", anthropic_tool_stream(args));
  REQUIRE(r.ex.findings.size() == 1);
  CHECK(r.ex.findings[0].location == "response:tool_args.content[0].command");
  CHECK(r.ex.findings[0].action == "redact");
  CHECK(r.out.find(k_aws.substr(0, 7)) == std::string::npos);
  std::string joined;
  size_t deltas = 0;
  for (const json& d : datas(r.out))
    if (d["type"] == "content_block_delta") joined += d["delta"]["partial_json"].get<std::string>(), ++deltas;
  CHECK(deltas == (args.size() + 6) / 7);  // every event is still there, in order
  CHECK(json::parse(joined) == json{{"command", "aws configure set aws_access_key_id " + placeholder(r.ex)}});
  CHECK(datas(r.out).back()["type"] == "message_stop");

  auto alert = stream(providers::ApiKind::anthropic, "alert", anthropic_tool_stream(args));
  REQUIRE(alert.ex.findings.size() == 1);
  CHECK(alert.ex.findings[0].action == "alert");
  CHECK(alert.out.empty());  // alert: the relay sends the bytes itself

  auto clean = stream(providers::ApiKind::anthropic, "redact", anthropic_tool_stream("{\"command\":\"ls -la\"}"));
  CHECK(clean.ex.findings.empty());
  std::string expected;
  for (const json& e : anthropic_tool_stream("{\"command\":\"ls -la\"}"))
    expected += "event: " + e["type"].get<std::string>() + "\ndata: " + e.dump() + "\n\n";
  CHECK(clean.out == expected);  // byte for byte
}

TEST_CASE("Response guard: Anthropic thinking deltas are scanned and only reported (the provider signs them)") {
  std::vector<json> ev = {{{"type", "content_block_start"}, {"index", 0}, {"content_block", {{"type", "thinking"}, {"thinking", ""}}}},
                          anthropic_delta(0, {{"type", "thinking_delta"}, {"thinking", "The user's key AKIAZ7VR"}}),
                          anthropic_delta(0, {{"type", "thinking_delta"}, {"thinking", "SQ5BXMNKW4HP is in the file."}}),
                          anthropic_delta(0, {{"type", "signature_delta"}, {"signature", "c2lnbmF0dXJl"}}),
                          {{"type", "content_block_stop"}, {"index", 0}},
                          {{"type", "message_stop"}}};
  auto r = stream(providers::ApiKind::anthropic, "redact", ev);
  REQUIRE(r.ex.findings.size() == 1);
  CHECK(r.ex.findings[0].location == "response:thinking.content[0]");
  CHECK(r.ex.findings[0].action == "alert");
  std::string expected;
  for (const json& e : ev) expected += "event: " + e["type"].get<std::string>() + "\ndata: " + e.dump() + "\n\n";
  CHECK(r.out == expected);
}

TEST_CASE("Response guard: Responses function-call argument deltas and reasoning summaries are redacted") {
  std::string args = json{{"cmd", "export AWS_ACCESS_KEY_ID=" + k_aws}}.dump();
  std::vector<json> ev = {{{"type", "response.created"}, {"response", {{"id", "r1"}}}},
                          {{"type", "response.reasoning_summary_text.delta"}, {"item_id", "rs1"}, {"summary_index", 0},
                           {"delta", "I will export " + k_aws.substr(0, 10)}},
                          {{"type", "response.reasoning_summary_text.delta"}, {"item_id", "rs1"}, {"summary_index", 0},
                           {"delta", k_aws.substr(10) + " for the user."}},
                          {{"type", "response.reasoning_summary_text.done"}, {"item_id", "rs1"}, {"summary_index", 0},
                           {"text", "I will export " + k_aws + " for the user."}}};
  for (size_t i = 0; i < args.size(); i += 5)
    ev.push_back({{"type", "response.function_call_arguments.delta"}, {"item_id", "fc1"}, {"delta", args.substr(i, 5)}});
  ev.push_back({{"type", "response.function_call_arguments.done"}, {"item_id", "fc1"}, {"arguments", args}});
  ev.push_back({{"type", "response.completed"}, {"response", {{"output", {{{"type", "function_call"}, {"arguments", args}}}}}}});
  auto r = stream(providers::ApiKind::openai, "redact", ev);
  CHECK(r.out.find(k_aws.substr(4, 8)) == std::string::npos);
  std::string summary, joined;
  for (const json& d : datas(r.out)) {
    if (d["type"] == "response.reasoning_summary_text.delta") summary += d["delta"].get<std::string>();
    if (d["type"] == "response.function_call_arguments.delta") joined += d["delta"].get<std::string>();
  }
  std::string ph = placeholder(r.ex);
  CHECK(summary == "I will export " + ph + " for the user.");
  CHECK(json::parse(joined) == json{{"cmd", "export AWS_ACCESS_KEY_ID=" + ph}});
  CHECK(r.ex.findings.size() == 1);  // one secret, reported once
  CHECK(r.ex.findings[0].location == "response:thinking.reasoning[rs1/0]");
}

TEST_CASE("Response guard: every part of a Gemini chunk is scanned (several texts, function calls)") {
  auto chunk = [](json parts, bool last = false) {
    json cand = {{"content", {{"role", "model"}, {"parts", parts}}}, {"index", 0}};
    if (last) cand["finishReason"] = "STOP";
    return json{{"candidates", {cand}}, {"usageMetadata", {{"totalTokenCount", 5}}}};
  };
  std::vector<json> ev = {chunk({{{"text", "Sure. "}}, {{"text", "Your key is " + k_aws + "."}}}),
                          chunk({{{"text", "Running it now."}},
                                 {{"functionCall", {{"name", "run_shell_command"}, {"args", {{"command", "export K=" + k_aws}}}}}}},
                                true)};
  auto alert = stream(providers::ApiKind::gemini, "alert", ev, true);
  REQUIRE(alert.ex.findings.size() == 1);  // the same secret twice: one finding
  CHECK(alert.ex.findings[0].location == "response:text.candidates[0]");

  auto r = stream(providers::ApiKind::gemini, "redact", ev, true);
  CHECK(r.out.find(k_aws.substr(4, 8)) == std::string::npos);
  auto ds = datas(r.out);
  REQUIRE(ds.size() == 2);
  std::string ph = placeholder(r.ex);
  CHECK(ds[0]["candidates"][0]["content"]["parts"][0]["text"] == "Sure. ");
  CHECK(ds[0]["candidates"][0]["content"]["parts"][1]["text"] == "Your key is " + ph + ".");
  CHECK(ds[1]["candidates"][0]["content"]["parts"][1]["functionCall"]["args"]["command"] == "export K=" + ph);
  CHECK(r.out.find("\r\n\r\n") != std::string::npos);  // Gemini's framing kept

  // A secret only in a function call, next to text: found there.
  auto call = stream(providers::ApiKind::gemini, "alert",
                     {chunk({{{"text", "ok"}}, {{"functionCall", {{"name", "x"}, {"args", {{"k", k_aws}}}}}}}, true)}, true);
  REQUIRE(call.ex.findings.size() == 1);
  CHECK(call.ex.findings[0].location == "response:candidates[0].content.parts[1].functionCall.args.k");
}

TEST_CASE("Response guard: Chat Completions tool-call argument deltas are redacted") {
  std::string args = json{{"command", "echo " + k_aws}}.dump();
  std::vector<json> ev;
  for (size_t i = 0; i < args.size(); i += 6)
    ev.push_back({{"choices", {{{"index", 0}, {"delta", {{"tool_calls", {{{"index", 0}, {"function", {{"arguments", args.substr(i, 6)}}}}}}}}}}}});
  ev.push_back({{"choices", {{{"index", 0}, {"delta", json::object()}, {"finish_reason", "tool_calls"}}}}});
  auto r = stream(providers::ApiKind::openai, "redact", ev);
  std::string joined;
  for (const json& d : datas(r.out))
    if (d["choices"][0]["delta"].contains("tool_calls"))
      joined += d["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"].get<std::string>();
  CHECK(json::parse(joined) == json{{"command", "echo " + placeholder(r.ex)}});
  CHECK(r.ex.findings[0].location == "response:tool_args.choices[0]/tool_calls[0].command");
}

TEST_CASE("Response events: JSON pointers read as locations") {
  CHECK(stages::response::location_of(nlohmann::ordered_json::json_pointer("/candidates/0/content/parts/1")) ==
        "candidates[0].content.parts[1]");
}
