// Guardrails end to end: a real `gw agent` with [guardrails] in policy, the fake provider behind
// it, and what the fake actually received.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sidecar.hpp"

using namespace gw::test;
using nlohmann::json;

namespace {

const std::string k_aws = "AKIAZ7VRSQ5BXMNKW4HP";

json anthropic_body(const std::string& tool_result, bool stream = false) {
  return {{"model", "claude-haiku-4-5"},
          {"max_tokens", 100},
          {"stream", stream},
          {"messages",
           {{{"role", "user"}, {"content", "read .env"}},
            {{"role", "assistant"},
             {"content", {{{"type", "tool_use"}, {"id", "t1"}, {"name", "Read"}, {"input", {{"file_path", ".env"}}}}}}},
            {{"role", "user"},
             {"content", {{{"type", "tool_result"}, {"tool_use_id", "t1"}, {"content", tool_result}}}}}}}};
}

json openai_body() {
  return {{"model", "gpt-5"},
          {"input",
           {{{"type", "message"}, {"role", "user"}, {"content", "deploy"}},
            {{"type", "function_call"}, {"call_id", "c1"}, {"name", "shell"},
             {"arguments", json({{"command", "aws configure set aws_access_key_id " + k_aws}}).dump()}}}}};
}

json gemini_body() {
  return {{"contents",
           {{{"role", "user"}, {"parts", {{{"text", "deploy"}}}}},
            {{"role", "model"},
             {"parts", {{{"functionCall", {{"name", "run_shell_command"}, {"args", {{"command", "export K=" + k_aws}}}}}}}}}}}};
}

struct Call {
  int status = 0;
  std::string body;
};

Call post(Sidecar& gw, const std::string& token, const std::string& api, const json& body) {
  auto cli = gw.client();
  auto r = api == "anthropic"
               ? cli.Post("/v1/messages", {{"x-api-key", token}, {"anthropic-version", "2023-06-01"}}, body.dump(),
                          "application/json")
           : api == "openai"
               ? cli.Post("/v1/responses", {{"Authorization", "Bearer " + token}}, body.dump(), "application/json")
               : cli.Post("/v1beta/models/gemini-2.5-pro:generateContent", {{"x-goog-api-key", token}}, body.dump(),
                          "application/json");
  REQUIRE(r);
  return {r->status, r->body};
}

// The body with every occurrence of the key replaced by `with` (JSON-escaped context is the same).
json replaced(const json& body, const std::string& with) {
  std::string s = body.dump();
  for (size_t at; (at = s.find(k_aws)) != std::string::npos;) s.replace(at, k_aws.size(), with);
  return json::parse(s);
}

std::string placeholder_in(const std::string& s) {
  size_t at = s.find("[REDACTED:aws-access-key-id:");
  return at == std::string::npos ? "" : s.substr(at, s.find(']', at) + 1 - at);
}

}  // namespace

TEST_CASE("guardrails: block -> the provider never sees the request; the agent reads rule and place") {
  FakeProvider fake;
  Sidecar gw(fake, {.extra_policy = "[guardrails]\nactions = { default = \"block\" }\n"});
  std::string token = gw.mint();
  auto r = post(gw, token, "anthropic", anthropic_body("AWS_ACCESS_KEY_ID=" + k_aws + "\n"));
  CHECK(r.status == 400);
  auto err = json::parse(r.body);
  std::string msg = err["error"]["message"];
  CHECK(msg.find("aws-access-key-id at messages[2].content[0].content line 1") != std::string::npos);
  CHECK(r.body.find(k_aws) == std::string::npos);
  CHECK(fake.requests().empty());
  auto g = gw.status()["guardrails"]["counters"];
  CHECK(g["requests"]["blocked"] == 1);
  CHECK(g["findings"]["block"] == 1);

  auto gem = post(gw, token, "gemini", gemini_body());
  CHECK(gem.status == 403);
  CHECK(json::parse(gem.body)["error"]["status"] == "PERMISSION_DENIED");
  CHECK(fake.requests().empty());
}

TEST_CASE("guardrails: redact -> the provider receives the placeholder, never the secret (three APIs)") {
  FakeProvider fake;
  Sidecar gw(fake, {.extra_policy = "[guardrails]\nactions = { default = \"redact\" }\n"});
  std::string token = gw.mint();
  struct Case {
    std::string api;
    json body;
  };
  for (const Case& c : {Case{"anthropic", anthropic_body("AWS_ACCESS_KEY_ID=" + k_aws + "\n")},
                        Case{"openai", openai_body()}, Case{"gemini", gemini_body()}}) {
    CAPTURE(c.api);
    fake.reset();
    size_t before = fake.requests().size();
    auto r = post(gw, token, c.api, c.body);
    CHECK(r.status == 200);
    auto reqs = fake.requests();
    REQUIRE(reqs.size() == before + 1);
    const json& seen = reqs.back()["body"];
    REQUIRE(seen.is_object());  // valid JSON
    std::string dump = seen.dump();
    CHECK(dump.find(k_aws) == std::string::npos);
    std::string ph = placeholder_in(dump);
    REQUIRE(!ph.empty());
    CHECK(seen == replaced(c.body, ph));  // identical apart from the span
  }
  CHECK(gw.status()["guardrails"]["counters"]["requests"]["redacted"] == 3);
}

TEST_CASE("guardrails: alert forwards unchanged; base64 images are not scanned as text") {
  FakeProvider fake;
  Sidecar gw(fake, {.extra_policy = "[guardrails]\n"});
  std::string token = gw.mint();
  json body = anthropic_body("AWS_ACCESS_KEY_ID=" + k_aws + "\n");
  auto r = post(gw, token, "anthropic", body);
  CHECK(r.status == 200);
  CHECK(fake.requests().back()["body"] == body);
  CHECK(gw.status()["guardrails"]["counters"]["findings"]["alert"] == 1);

  // A key-shaped run inside base64 image data is binary, not a leak: no finding.
  std::string b64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ" + k_aws + "AAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  json img = {{"model", "claude-haiku-4-5"},
              {"max_tokens", 100},
              {"messages",
               {{{"role", "user"},
                 {"content", {{{"type", "image"}, {"source", {{"type", "base64"}, {"media_type", "image/png"}, {"data", b64}}}}}}}}}};
  CHECK(post(gw, token, "anthropic", img).status == 200);
  CHECK(gw.status()["guardrails"]["counters"]["findings"]["alert"] == 1);
}

TEST_CASE("guardrails: the second turn of a session scans only its new blocks") {
  FakeProvider fake;
  Sidecar gw(fake, {.extra_policy = "[guardrails]\n"});
  std::string token = gw.mint();
  json turn1 = anthropic_body(std::string(20000, 'x'));
  post(gw, token, "anthropic", turn1);
  auto c1 = gw.status()["guardrails"]["counters"]["requests"];
  json turn2 = turn1;
  turn2["messages"].push_back({{"role", "assistant"}, {"content", "done"}});
  post(gw, token, "anthropic", turn2);
  auto c2 = gw.status()["guardrails"]["counters"]["requests"];
  CHECK(c2["scanned"] == 2);
  // Turn 2 scanned only "done": the 20 KB tool result was served from the session's cache.
  CHECK(c2["bytes_scanned"].get<int64_t>() - c1["bytes_scanned"].get<int64_t>() < 100);
  CHECK(c2["blocks_cached"].get<int64_t>() - c1["blocks_cached"].get<int64_t>() == 4);
}

TEST_CASE("guardrails: responses -> a streamed secret split across events reaches the agent redacted") {
  FakeProvider fake({.events = 8});
  Sidecar gw(fake, {.extra_policy = "[guardrails.responses]\naction = \"redact\"\nwindow_bytes = 256\n"});
  std::string token = gw.mint();
  fake.control({{"mode", "text"}, {"text", "Your key is " + k_aws + " and that is all."}});
  auto cli = gw.client();
  auto r = post_streaming(cli, "/v1/messages", anthropic_body("nothing here", true).dump(),
                          {{"x-api-key", token}, {"anthropic-version", "2023-06-01"}});
  REQUIRE(r.ok);
  CHECK(r.status == 200);
  std::string text;
  for (const auto& ev : parse_sse(r.body)) {
    auto d = json::parse(ev.data);
    if (d["type"] == "content_block_delta") text += d["delta"]["text"].get<std::string>();
  }
  CHECK(r.body.find(k_aws.substr(4, 6)) == std::string::npos);
  std::string ph = placeholder_in(text);
  REQUIRE(!ph.empty());
  CHECK(text == "Your key is " + ph + " and that is all.");
  auto events = parse_sse(r.body);
  CHECK(events.back().event == "message_stop");
  CHECK(gw.status()["guardrails"]["counters"]["responses"]["redacted"] == 1);

  // alert (the default): the agent gets the bytes as sent; the finding is counted.
  fake.control({{"mode", "text"}, {"text", "Your key is " + k_aws}});
  Sidecar alert(fake, {.extra_policy = "[guardrails]\n"});
  std::string t2 = alert.mint();
  auto cli2 = alert.client();
  auto a = post_streaming(cli2, "/v1/messages", anthropic_body("nothing here", true).dump(),
                          {{"x-api-key", t2}, {"anthropic-version", "2023-06-01"}});
  REQUIRE(a.ok);
  CHECK(alert.status()["guardrails"]["counters"]["responses"]["findings"] == 1);
}
