// Guardrails end to end: a real `gw agent` with [guardrails] in policy, the fake provider behind
// it, and what the fake actually received.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

namespace {

const std::string k_aws_secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYz9Q2kLm4NvTa";

// Every regular file under `dir` (recursively) that contains `needle`; `files` counts the files read.
std::vector<std::string> files_containing(const std::filesystem::path& dir, const std::string& needle, size_t& files) {
  std::vector<std::string> hits;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    ++files;
    if (ss.str().find(needle) != std::string::npos) hits.push_back(it->path().string());
  }
  return hits;
}

// Runs requests and responses carrying the planted secrets through a sidecar with `policy`, stops
// it, and checks that neither its state dir (audit spool, usage, logs, caches) nor its output
// holds a secret. Whatever the sidecar comes to store there (sessions, spend and usage, audit
// spool, caches) is covered as it appears.
void run_and_grep(const std::string& policy, bool expect_forwarded, bool expect_forwarded_content) {
  FakeProvider fake;
  std::string creds = "[default]\naws_access_key_id = " + k_aws + "\naws_secret_access_key = " + k_aws_secret + "\n";
  std::filesystem::path state;
  std::string out, err;
  {
    // The audit spool records request content too (redacted by the audit stage itself).
    Sidecar gw(fake, {.extra_policy = policy + "[audit]\nlog_content = true\n"});
    state = gw.paths().state_dir;
    std::string token = gw.mint();
    post(gw, token, "anthropic", anthropic_body(creds));
    post(gw, token, "openai", openai_body());
    post(gw, token, "gemini", gemini_body());
    auto cli = gw.client();
    // count_tokens carries the conversation too; an unparsable body holds the secret in raw text.
    cli.Post("/v1/messages/count_tokens", {{"x-api-key", token}, {"anthropic-version", "2023-06-01"}},
             anthropic_body(creds).dump(), "application/json");
    cli.Post("/v1/messages", {{"x-api-key", token}, {"anthropic-version", "2023-06-01"}},
             "{\"model\": \"m\", \"messages\": [" + creds, "application/json");
    // The model answers with the secret, streamed and not.
    fake.control({{"mode", "text"}, {"text", "Here: " + k_aws + " / " + k_aws_secret + " done."}, {"count", 2}});
    auto s = post_streaming(cli, "/v1/messages", anthropic_body("hi", true).dump(),
                            {{"x-api-key", token}, {"anthropic-version", "2023-06-01"}});
    CHECK(s.ok);
    post(gw, token, "anthropic", anthropic_body("hi"));
    auto st = gw.status()["guardrails"]["counters"];
    CHECK(st["requests"]["scanned"].get<int>() >= 4);
    CHECK(st["responses"]["findings"].get<int>() >= 1);
    CHECK(gw.paths().state_dir == state);
    REQUIRE(gw::agent::control_call(gw.paths(), {{"op", "stop"}}, 5000));
    REQUIRE(gw.process().wait(std::chrono::seconds(10)).has_value());
    out = gw.process().stdout_text();
    err = gw.process().stderr_text();
    // While the sidecar's home still exists: every file it wrote. The audit spool is among them,
    // and where requests were forwarded it holds their content, redacted.
    size_t n = 0;
    auto with_placeholder = files_containing(state / "audit", "[REDACTED:aws-access-key-id:", n);
    CHECK_MESSAGE(n >= 1, "no audit spool in " << state.string());
    CHECK(with_placeholder.empty() == !expect_forwarded_content);
    for (const std::string& secret : {k_aws, k_aws_secret}) {
      size_t files = 0;
      auto hits = files_containing(state, secret, files);
      CHECK_MESSAGE(files >= 2, "the state dir has no files to check: " << state.string());
      for (const auto& h : hits) FAIL_CHECK("a planted secret is stored in " << h);
      CHECK_MESSAGE(out.find(secret) == std::string::npos, "a planted secret is in the sidecar's stdout");
      CHECK_MESSAGE(err.find(secret) == std::string::npos, "a planted secret is in the sidecar's stderr");
    }
  }
  bool seen_by_fake = false;
  for (const auto& r : fake.requests()) seen_by_fake |= r.dump().find(k_aws) != std::string::npos;
  CHECK(seen_by_fake == expect_forwarded);  // the secret really passed through the sidecar (alert)
}

}  // namespace

TEST_CASE("guardrails: planted secrets never reach the sidecar's state dir or log output (block, redact, alert)") {
  SUBCASE("block") {
    run_and_grep("[guardrails.actions]\ncategories = { secret = \"block\" }\n[guardrails.responses]\naction = \"redact\"\n", false, false);
  }
  SUBCASE("redact") {
    run_and_grep("[guardrails.actions]\ncategories = { secret = \"redact\" }\n[guardrails.responses]\naction = \"redact\"\n", false, true);
  }
  SUBCASE("alert") { run_and_grep("[guardrails]\non_unscannable = \"forward\"\n", true, true); }
}
