// The sidecar end to end on loopback: real `gw agent` and fake provider processes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sidecar.hpp"

using namespace gw::test;
using nlohmann::json;

namespace {

const std::string k_anthropic_body =
    R"({"model":"claude-haiku-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"say pong"}]})";

// Every header value the fake saw for requests, flattened.
std::vector<std::string> seen_header_values(const std::vector<json>& reqs) {
  std::vector<std::string> out;
  for (const auto& r : reqs)
    for (const auto& h : r["headers"]) out.push_back(h[1].get<std::string>());
  return out;
}

std::string header(const json& req, std::string name) {
  for (auto& c : name) c = static_cast<char>(std::tolower(c));
  for (const auto& h : req["headers"]) {
    std::string n = h[0];
    for (auto& c : n) c = static_cast<char>(std::tolower(c));
    if (n == name) return h[1];
  }
  return "";
}

}  // namespace

TEST_CASE("sidecar: Claude-style streaming request reaches the provider with the real key, never the token") {
  FakeProvider fake({.expect_keys = {std::string("anthropic=") + k_anthropic_key}});
  Sidecar gw(fake);
  std::string token = gw.mint();
  auto cli = gw.client();
  auto r = post_streaming(cli, "/anthropic/v1/messages?beta=true", k_anthropic_body,
                          {{"Authorization", "Bearer " + token}, {"anthropic-version", "2023-06-01"},
                           {"User-Agent", "claude-cli/2.1.197 (external, sdk-cli)"}});
  REQUIRE(r.ok);
  CHECK(r.status == 200);
  auto events = parse_sse(r.body);
  REQUIRE(events.size() >= 5);
  CHECK(events.front().event == "message_start");
  CHECK(events.back().event == "message_stop");
  auto reqs = fake.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0]["path"] == "/v1/messages");
  CHECK(reqs[0]["query"].dump().find("beta") != std::string::npos);
  CHECK(header(reqs[0], "x-api-key") == k_anthropic_key);
  CHECK(header(reqs[0], "authorization") == "");
  for (const auto& v : seen_header_values(reqs)) CHECK(v.find(token) == std::string::npos);
  // Usage was tapped from the stream and shows in the status totals of the agent.
  auto st = gw.status();
  CHECK(st["stats"]["agents"]["claude-code"]["requests"] == 1);
  CHECK(st["stats"]["agents"]["claude-code"]["tokens"]["output"].get<int>() > 0);
  CHECK(st["stats"]["agents"]["claude-code"]["tokens"]["input"].get<int>() > 0);
}

TEST_CASE("sidecar: the relayed stream is byte-identical to the provider's") {
  FakeProvider fake;
  Sidecar gw(fake);
  std::string token = gw.mint();
  auto direct_cli = make_client(fake.base_url());
  auto direct = post_streaming(direct_cli, "/v1/responses", R"({"model":"gpt-5-codex","stream":true,"input":"hi"})",
                               {{"Authorization", std::string("Bearer ") + k_openai_key}});
  auto cli = gw.client();
  auto via = post_streaming(cli, "/openai/v1/responses", R"({"model":"gpt-5-codex","stream":true,"input":"hi"})",
                            {{"Authorization", "Bearer " + token}});
  REQUIRE(direct.ok);
  REQUIRE(via.ok);
  // The fake numbers its responses; compare the event sequence and payload shapes.
  auto de = parse_sse(direct.body), ve = parse_sse(via.body);
  REQUIRE(de.size() == ve.size());
  for (size_t i = 0; i < de.size(); ++i) CHECK(de[i].event == ve[i].event);
  CHECK(via.headers.find("Content-Type")->second.find("text/event-stream") == 0);
}

TEST_CASE("sidecar: usage is counted for every API, streaming and not") {
  FakeProvider fake;
  Sidecar gw(fake);
  std::string token = gw.mint("other");
  auto cli = gw.client();
  httplib::Headers bearer = {{"Authorization", "Bearer " + token}};
  struct Call {
    std::string path, body;
    httplib::Headers headers;
  } calls[] = {
      {"/v1/messages", R"({"model":"claude-haiku-4-5","max_tokens":10,"messages":[]})", {{"x-api-key", token}}},
      {"/v1/chat/completions", R"({"model":"gpt-5","stream":true,"stream_options":{"include_usage":true},"messages":[]})", bearer},
      {"/v1/chat/completions", R"({"model":"gpt-5","messages":[]})", bearer},
      {"/v1/responses", R"({"model":"gpt-5","input":"x"})", bearer},
      {"/gemini/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", R"({"contents":[]})", {{"x-goog-api-key", token}}},
      {"/v1beta/models/gemini-2.5-pro:generateContent", R"({"contents":[]})", {{"x-goog-api-key", token}}},
  };
  int64_t out_sum = 0;
  for (auto& c : calls) {
    auto r = post_streaming(cli, c.path, c.body, c.headers);
    INFO(c.path << " -> " << r.status << " " << r.body.substr(0, 200));
    REQUIRE(r.ok);
    CHECK(r.status == 200);
  }
  auto st = gw.status();
  auto tokens = st["stats"]["total"]["tokens"];
  CHECK(st["stats"]["total"]["requests"] == 6);
  out_sum = tokens["output"];
  CHECK(out_sum >= 6);  // every reply had output tokens
  CHECK(tokens["input"].get<int64_t>() >= 6);
}

TEST_CASE("sidecar: requests without a valid session are refused in the provider's own error shape") {
  FakeProvider fake;
  Sidecar gw(fake);
  auto cli = gw.client();
  auto a = cli.Post("/v1/messages", k_anthropic_body, "application/json");
  REQUIRE(a);
  CHECK(a->status == 401);
  auto aj = json::parse(a->body);
  CHECK(aj["type"] == "error");
  CHECK(aj["error"]["type"] == "authentication_error");
  CHECK(aj["error"]["message"].get<std::string>().find("gw claude") != std::string::npos);

  httplib::Headers fake_token = {{"Authorization", "Bearer gws_notarealtoken"}};
  auto o = cli.Post("/v1/responses", fake_token, R"({"model":"gpt-5","input":"x"})", "application/json");
  REQUIRE(o);
  CHECK(o->status == 401);
  CHECK(json::parse(o->body)["error"]["message"].get<std::string>().find("session token") != std::string::npos);

  auto g = cli.Post("/v1beta/models/gemini-2.5-pro:generateContent", {{"x-goog-api-key", "AIzaSomeonesKey"}},
                    R"({"contents":[]})", "application/json");
  REQUIRE(g);
  CHECK(g->status == 401);
  CHECK(json::parse(g->body)["error"]["status"] == "UNAUTHENTICATED");
  CHECK(fake.requests().empty());  // nothing reached the provider
}

TEST_CASE("sidecar: a revoked session stops working at once") {
  FakeProvider fake;
  Sidecar gw(fake);
  auto s = gw::agent::mint_session(gw.paths(), "codex", ::getpid(), 600);
  REQUIRE(s);
  auto cli = gw.client();
  httplib::Headers h = {{"Authorization", "Bearer " + s->token}};
  auto ok = cli.Post("/v1/responses", h, R"({"model":"gpt-5","input":"x"})", "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  REQUIRE(gw::agent::revoke_session(gw.paths(), s->session_id));
  auto denied = cli.Post("/v1/responses", h, R"({"model":"gpt-5","input":"x"})", "application/json");
  REQUIRE(denied);
  CHECK(denied->status == 401);
}

TEST_CASE("sidecar: bad requests get precise 4xx answers and never reach the provider") {
  FakeProvider fake;
  Sidecar gw(fake, {.extra_args = {"--max-body-bytes", "4096"}});
  std::string token = gw.mint();
  auto cli = gw.client();
  httplib::Headers h = {{"x-api-key", token}};
  auto malformed = cli.Post("/v1/messages", h, R"({"model": "x", "messages": [)", "application/json");
  REQUIRE(malformed);
  CHECK(malformed->status == 400);
  CHECK(json::parse(malformed->body)["error"]["message"].get<std::string>().find("invalid JSON at byte") != std::string::npos);

  auto no_model = cli.Post("/v1/messages", h, R"({"max_tokens": 5})", "application/json");
  REQUIRE(no_model);
  CHECK(no_model->status == 400);
  CHECK(json::parse(no_model->body)["error"]["message"] == "gw: invalid request: the request has no \"model\" field");

  auto bad_model = cli.Post("/v1/messages", h, R"({"model": ["x"]})", "application/json");
  REQUIRE(bad_model);
  CHECK(json::parse(bad_model->body)["error"]["message"].get<std::string>().find("must be a string") != std::string::npos);

  auto huge = cli.Post("/v1/messages", h, std::string(10000, ' '), "application/json");
  REQUIRE(huge);
  CHECK(huge->status == 413);
  CHECK(json::parse(huge->body)["error"]["message"].get<std::string>().find("exceeds the limit of 4096") != std::string::npos);

  auto unknown = cli.Post("/gemini/v1beta/models/x:explode", {{"x-goog-api-key", token}}, "{}", "application/json");
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  CHECK(json::parse(unknown->body)["error"]["status"] == "NOT_FOUND");
  CHECK(fake.requests().empty());
  // The sidecar is still healthy after all that.
  auto fine = cli.Post("/v1/messages", h, R"({"model":"claude-haiku-4-5","max_tokens":5,"messages":[]})", "application/json");
  REQUIRE(fine);
  CHECK(fine->status == 200);
}

TEST_CASE("sidecar: browser-originated and DNS-rebinding requests are refused") {
  FakeProvider fake;
  Sidecar gw(fake);
  std::string token = gw.mint();
  auto cli = gw.client();
  auto origin = cli.Post("/v1/messages", {{"x-api-key", token}, {"Origin", "https://evil.example"}}, k_anthropic_body,
                         "application/json");
  REQUIRE(origin);
  CHECK(origin->status == 403);
  auto referer = cli.Post("/v1/messages", {{"x-api-key", token}, {"Referer", "https://evil.example/x"}},
                          k_anthropic_body, "application/json");
  REQUIRE(referer);
  CHECK(referer->status == 403);
  httplib::Client raw("127.0.0.1", gw.port());
  raw.set_default_headers({{"Host", "evil.example:" + std::to_string(gw.port())}});
  auto rebind = raw.Post("/v1/messages", {{"x-api-key", token}}, k_anthropic_body, "application/json");
  REQUIRE(rebind);
  CHECK(rebind->status == 403);
  CHECK(json::parse(rebind->body)["error"]["message"].get<std::string>().find("DNS rebinding") != std::string::npos);
  CHECK(fake.requests().empty());
}

TEST_CASE("sidecar: HEAD / preconnect is answered cheaply without touching the provider") {
  FakeProvider fake;
  Sidecar gw(fake);
  auto cli = gw.client();
  auto r = cli.Head("/");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(fake.requests().empty());
}
