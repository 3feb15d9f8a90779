#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "core/json/json_walk.hpp"
#include "core/scan/actions.hpp"
#include "core/scan/body_scan.hpp"
#include "core/scan/rule_loader.hpp"
#include "core/scan/stream_scanner.hpp"

using namespace gw::scan;
using nlohmann::json;

namespace {
const Scanner& scanner() {
  static std::shared_ptr<const Scanner> s = [] {
    auto rules = builtin_rules();
    REQUIRE(rules.has_value());
    auto sc = Scanner::create({*rules});
    REQUIRE(sc.has_value());
    return *sc;
  }();
  return *s;
}
const std::string k_aws = "AKIAZ7VRSQ5BXMNKW4HP";
const std::string k_ghp = "ghp_Zt8q1Lm3Rx0Vb6Nc2Kd9Wf4Yh7Jp5Sa1Gu3E";

std::vector<const Finding*> by_rule(const std::vector<Finding>& fs, std::string_view id) {
  std::vector<const Finding*> out;
  for (const auto& f : fs)
    if (f.rule_id == id) out.push_back(&f);
  return out;
}
}  // namespace

TEST_CASE("scan_body: Anthropic body, secrets in tool_result and tool_use input found with JSON paths") {
  json body = {
      {"model", "claude-sonnet-4-5"},
      {"max_tokens", 1024},
      {"system", json::array({{{"type", "text"}, {"text", "You are Claude Code."}}})},
      {"messages",
       json::array({{{"role", "user"}, {"content", "read .env"}},
                    {{"role", "assistant"},
                     {"content", json::array({{{"type", "tool_use"}, {"id", "t1"}, {"name", "Bash"},
                                               {"input", {{"command", "export TOKEN=" + k_ghp}}}}})}},
                    {{"role", "user"},
                     {"content", json::array({{{"type", "tool_result"}, {"tool_use_id", "t1"},
                                               {"content", "line one\n\"quoted\" AWS=" + k_aws + "\n"}}})}}})}};
  std::string text = body.dump();
  auto r = scan_body(scanner(), text, BodyKind::anthropic);
  REQUIRE(r.has_value());
  auto aws = by_rule(r->findings, "aws-access-key-id");
  REQUIRE(aws.size() == 1);
  CHECK(aws[0]->json_path == "messages[2].content[0].content");
  CHECK(aws[0]->json_pointer == "/messages/2/content/0/content");
  CHECK(aws[0]->line == 2);  // after an escaped \n and escaped quotes
  CHECK(text.substr(aws[0]->offset, aws[0]->length) == k_aws);
  auto gh = by_rule(r->findings, "github-pat");
  REQUIRE(gh.size() == 1);
  CHECK(gh[0]->json_path == "messages[1].content[0].input.command");
  CHECK(detect_body_kind(text) == BodyKind::anthropic);
}

TEST_CASE("scan_body: a secret written with JSON escapes is found and its raw span covers the escapes") {
  // "AKIA" + "\u005A..." : the decoded text holds the key, the raw bytes contain an escape.
  std::string raw_key = "AKIA\\u005A7VRSQ5BXMNKW4HP";
  std::string text = R"({"messages":[{"role":"user","content":"k=)" + raw_key + R"("}]})";
  auto r = scan_body(scanner(), text, BodyKind::anthropic);
  REQUIRE(r.has_value());
  auto aws = by_rule(r->findings, "aws-access-key-id");
  REQUIRE(aws.size() == 1);
  CHECK(text.substr(aws[0]->offset, aws[0]->length) == raw_key);
  std::string red = redact(text, r->findings);
  CHECK(gw::json::validate(red).has_value());
  CHECK(red.find("[REDACTED:aws-access-key-id:" + aws[0]->fingerprint.substr(0, 8) + "]") != std::string::npos);
}

TEST_CASE("scan_body: base64 images, data URLs and thinking signatures are skipped") {
  std::string b64(4000, 'A');
  for (size_t i = 0; i < b64.size(); i += 7) b64[i] = 'z';
  std::string planted = "AKIA" + std::string("Z7VRSQ5BXMNKW4HP");
  json body = {
      {"messages",
       json::array({{{"role", "user"},
                     {"content", json::array({{{"type", "image"},
                                               {"source", {{"type", "base64"}, {"media_type", "image/png"}, {"data", b64 + planted + b64}}}},
                                              {{"type", "thinking"}, {"thinking", "hmm"}, {"signature", planted + "xx"}}})}}})},
      {"input", json::array({{{"type", "input_image"}, {"image_url", "data:image/png;base64," + b64 + planted}}})}};
  auto r = scan_body(scanner(), body.dump(), BodyKind::json);
  REQUIRE(r.has_value());
  CHECK(by_rule(r->findings, "aws-access-key-id").empty());
}

TEST_CASE("scan_body: OpenAI Responses function_call arguments and Gemini parts are scanned") {
  json responses = {{"model", "gpt-5-codex"},
                    {"instructions", "be brief"},
                    {"input", json::array({{{"type", "function_call"}, {"name", "shell"}, {"call_id", "c1"},
                                            {"arguments", json({{"cmd", "curl -H 'X: " + k_ghp + "'"}}).dump()}},
                                           {{"type", "function_call_output"}, {"call_id", "c1"}, {"output", "AWS " + k_aws}}})}};
  std::string rt = responses.dump();
  CHECK(detect_body_kind(rt) == BodyKind::openai);
  auto r = scan_body(scanner(), rt, BodyKind::openai);
  REQUIRE(r.has_value());
  REQUIRE(by_rule(r->findings, "github-pat").size() == 1);
  CHECK(by_rule(r->findings, "github-pat")[0]->json_path == "input[0].arguments");
  CHECK(by_rule(r->findings, "aws-access-key-id")[0]->json_path == "input[1].output");

  json gemini = {{"contents", json::array({{{"role", "user"},
                                            {"parts", json::array({{{"text", "hi " + k_aws}},
                                                                   {{"functionResponse", {{"name", "read"}, {"response", {{"content", k_ghp}}}}}}})}}})}};
  std::string gt = gemini.dump();
  CHECK(detect_body_kind(gt) == BodyKind::gemini);
  auto g = scan_body(scanner(), gt, BodyKind::gemini);
  REQUIRE(g.has_value());
  CHECK(by_rule(g->findings, "aws-access-key-id")[0]->json_path == "contents[0].parts[0].text");
  CHECK(by_rule(g->findings, "github-pat")[0]->json_path == "contents[0].parts[1].functionResponse.response.content");
}

TEST_CASE("scan_body: invalid JSON is an error, text kind scans raw text") {
  auto bad = scan_body(scanner(), "{\"messages\": [", BodyKind::anthropic);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message.find("invalid JSON at byte") == 0);
  auto t = scan_body(scanner(), "x " + k_aws, BodyKind::text);
  REQUIRE(t.has_value());
  CHECK(by_rule(t->findings, "aws-access-key-id").size() == 1);
  CHECK(detect_body_kind("not json") == BodyKind::text);
}

TEST_CASE("scan_body: an invalid body reports the error of a full validation, with or without a warm cache") {
  ScanCache cache;
  json body = {{"model", "m"}, {"messages", json::array({{{"role", "user"}, {"content", "hello " + k_aws}}})}, {"n", 1}};
  std::string good = body.dump();
  REQUIRE(scan_body(scanner(), good, BodyKind::anthropic, &cache).has_value());
  // Broken in a block, between blocks, in a scalar, after the end, in a key: each time the very
  // message (and byte offset) the validating parser gives for the whole body.
  std::string messages_end = good.substr(0, good.find("]"));
  for (std::string bad : {good.substr(0, good.size() - 1), good + "x", messages_end + ",]" + good.substr(messages_end.size() + 1),
                          std::string(good).replace(good.find("1}"), 1, "01"),
                          std::string(good).replace(good.find("hello"), 1, "\\q"),
                          std::string(good).replace(good.find("\"model\""), 1, ""),
                          std::string(good).replace(good.find(":1}"), 1, " ")}) {
    CAPTURE(bad);
    auto expected = gw::json::top_level_members(bad);
    REQUIRE_FALSE(expected.has_value());
    for (ScanCache* c : {static_cast<ScanCache*>(nullptr), &cache}) {
      auto r = scan_body(scanner(), bad, BodyKind::anthropic, c);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().message == expected.error().message);
    }
  }
  // Whitespace and key escapes around the blocks do not matter.
  std::string spaced = " { \"model\" : \"m\" ,\n \"mess\\u0061ges\" : [ {\"role\":\"user\",\"content\":\"hello " + k_aws + "\"} ] } ";
  auto r = scan_body(scanner(), spaced, BodyKind::anthropic, &cache);
  REQUIRE(r.has_value());
  REQUIRE(by_rule(r->findings, "aws-access-key-id").size() == 1);
  CHECK(r->findings[0].json_path == "messages[0].content");
  CHECK(spaced.substr(r->findings[0].offset, r->findings[0].length) == k_aws);
}

TEST_CASE("ScanCache: turn N rescans only new blocks and re-bases remembered findings") {
  ScanCache cache;
  json body = {{"model", "m"}, {"messages", json::array()}};
  for (int i = 0; i < 20; ++i)
    body["messages"].push_back({{"role", i % 2 ? "assistant" : "user"}, {"content", "turn " + std::to_string(i) + (i == 3 ? " " + k_aws : "")}});
  auto first = scan_body(scanner(), body.dump(), BodyKind::anthropic, &cache);
  REQUIRE(first.has_value());
  CHECK(first->stats.blocks_cached == 0);
  // Next turn: one new message appended, and a new system prompt inserted before messages.
  json next = body;
  next["system"] = "You are helpful";
  next["messages"].push_back({{"role", "user"}, {"content", "new " + k_ghp}});
  std::string nt = next.dump();
  auto second = scan_body(scanner(), nt, BodyKind::anthropic, &cache);
  REQUIRE(second.has_value());
  CHECK(second->stats.blocks_cached == 21);  // "model" and the 20 old messages
  CHECK(second->stats.bytes_scanned < 100);
  auto aws = by_rule(second->findings, "aws-access-key-id");
  REQUIRE(aws.size() == 1);
  CHECK(nt.substr(aws[0]->offset, aws[0]->length) == k_aws);
  CHECK(aws[0]->json_path == "messages[3].content");
  CHECK(by_rule(second->findings, "github-pat").size() == 1);
  // The same results as an uncached scan.
  auto fresh = scan_body(scanner(), nt, BodyKind::anthropic);
  REQUIRE(fresh->findings.size() == second->findings.size());
  for (size_t i = 0; i < fresh->findings.size(); ++i) {
    CHECK(fresh->findings[i].offset == second->findings[i].offset);
    CHECK(fresh->findings[i].json_pointer == second->findings[i].json_pointer);
  }
}

TEST_CASE("redact: property: over generated bodies, output is valid JSON, identical outside spans") {
  std::mt19937 rng(1234);
  const std::vector<std::string> secrets = {k_aws, k_ghp, "sk-ant-api03-" + std::string(93, 'x').replace(5, 30, "Zt8q1Lm3Rx0Vb6Nc2Kd9Wf4Yh7Jp5S") + "AA",
                                            "xoxb-123456789012-1234567890123-Zt8q1Lm3Rx0Vb6Nc2Kd9Wf4Y"};
  const std::vector<std::string> fillers = {"hello", "line\nbreak", "tab\tand \"quotes\"", "caf\xC3\xA9 \xF0\x9F\x98\x80",
                                            "back\\slash", "{\"nested\":\"json\"}", "\x01\x1f ctl"};
  for (int iter = 0; iter < 200; ++iter) {
    std::function<json(int)> gen = [&](int depth) -> json {
      int pick = static_cast<int>(rng() % (depth > 3 ? 3 : 6));
      if (pick == 0) return static_cast<int>(rng() % 1000);
      if (pick <= 2) {
        std::string s = fillers[rng() % fillers.size()];
        if (rng() % 3 == 0) s += (rng() % 2 ? "\n" : "\"") + secrets[rng() % secrets.size()] + (rng() % 2 ? "\"" : " end");
        return s;
      }
      if (pick == 3) {
        json a = json::array();
        for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i) a.push_back(gen(depth + 1));
        return a;
      }
      json o = json::object();
      for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i) o["k" + std::to_string(rng() % 10)] = gen(depth + 1);
      return o;
    };
    json body = {{"model", "m"}, {"messages", json::array({gen(0), gen(0)})}, {"tools", gen(1)}};
    std::string text = body.dump(-1, ' ', rng() % 2 == 0);  // sometimes \u-escape non-ASCII
    auto r = scan_body(scanner(), text, BodyKind::anthropic);
    REQUIRE(r.has_value());
    std::string red = redact(text, r->findings);
    REQUIRE(gw::json::validate(red).has_value());
    json parsed = json::parse(red, nullptr, false);
    REQUIRE_FALSE(parsed.is_discarded());
    for (const auto& s : secrets) CHECK(red.find(s) == std::string::npos);
    // Byte-identical outside the spans: walk both texts span by span.
    size_t pos = 0, out = 0;
    std::vector<Finding> fs = r->findings;
    for (size_t i = 0; i < fs.size();) {
      size_t b = fs[i].offset, e = b + fs[i].length;
      size_t j = i + 1;
      while (j < fs.size() && fs[j].offset < e) e = std::max(e, fs[j].offset + fs[j].length), ++j;
      REQUIRE(red.compare(out, b - pos, text, pos, b - pos) == 0);
      out += b - pos;
      std::string ph = placeholder(fs[i]);
      REQUIRE(red.compare(out, ph.size(), ph) == 0);
      out += ph.size();
      pos = e;
      i = j;
    }
    CHECK(red.substr(out) == text.substr(pos));
  }
}

TEST_CASE("actions: per rule, per category and default; block message names rules and places") {
  ActionPolicy p;
  p.default_action = Action::alert;
  p.by_category[Category::secret] = Action::redact;
  p.by_rule["aws-access-key-id"] = Action::block;
  std::string text = R"({"messages":[{"role":"user","content":"a )" + k_aws + " b " + k_ghp + R"( c jane.doe@acme-corp.com"}]})";
  auto r = scan_body(scanner(), text, BodyKind::anthropic);
  REQUIRE(r.has_value());
  Decision d = decide(r->findings, p);
  CHECK(d.action == Action::block);
  REQUIRE(d.block.size() == 1);
  CHECK(d.redact.size() == 1);
  CHECK(d.alert.size() == 1);
  std::string msg = block_message(d.block);
  CHECK(msg.find("aws-access-key-id at messages[0].content line 1") != std::string::npos);
  CHECK(msg.find(k_aws) == std::string::npos);
  p.allowed_fingerprints.push_back(d.block[0].fingerprint);
  CHECK(decide(r->findings, p).action == Action::redact);
}

TEST_CASE("StreamScanner: a secret split across deltas is found once, with its stream offset") {
  StreamScanner ss(scanner(), 4096, 64);
  std::string stream = std::string(5000, '.') + " key " + k_aws + " and more text " + std::string(300, '-') + k_ghp;
  std::vector<Finding> all;
  for (size_t i = 0; i < stream.size(); i += 7) {
    auto fs = ss.feed(std::string_view(stream).substr(i, 7));
    all.insert(all.end(), fs.begin(), fs.end());
  }
  auto rest = ss.finish();
  all.insert(all.end(), rest.begin(), rest.end());
  auto aws = by_rule(all, "aws-access-key-id");
  REQUIRE(aws.size() == 1);
  CHECK(stream.substr(aws[0]->offset, aws[0]->length) == k_aws);
  REQUIRE(by_rule(all, "github-pat").size() == 1);
  CHECK(ss.safe_offset() == stream.size() - 4096);
}
