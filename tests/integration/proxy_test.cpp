// The provider proxy of `gw serve` end to end: a real `gw serve` with TLS and [proxy], the fake
// provider behind it, clients presenting virtual keys, and what the fake and the central store saw.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/integration/proxy_harness.hpp"
#include "tests/support/file_watch.hpp"
#include "tests/support/gw_cli.hpp"

using namespace gw::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string k_stream_body =
    R"({"model":"claude-haiku-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"say pong"}]})";
const std::string k_aws = "AKIAZ7VRSQ5BXMNKW4HP";

std::string header(const json& req, std::string name) {
  for (auto& c : name) c = static_cast<char>(std::tolower(c));
  for (const auto& h : req["headers"]) {
    std::string n = h[0];
    for (auto& c : n) c = static_cast<char>(std::tolower(c));
    if (n == name) return h[1];
  }
  return "";
}

// The body with the fake's per-response message id blanked (it counts responses).
std::string without_ids(std::string body) {
  for (size_t at = 0; (at = body.find("msg_fake_", at)) != std::string::npos;) {
    size_t end = at + 9;
    while (end < body.size() && std::isdigit(static_cast<unsigned char>(body[end]))) ++end;
    body.replace(at, end - at, "msg_fake_N");
    at += 10;
  }
  return body;
}

httplib::Headers anthropic_headers(const std::string& key) {
  return {{"x-api-key", key}, {"anthropic-version", "2023-06-01"}, {"User-Agent", "claude-cli/2.1.197 (external, sdk-cli)"}};
}

json anthropic_with_secret(bool stream) {
  return {{"model", "claude-haiku-4-5"}, {"max_tokens", 100}, {"stream", stream},
          {"messages", {{{"role", "user"}, {"content", "deploy with AWS_ACCESS_KEY_ID=" + k_aws + "\n"}}}}};
}

}  // namespace

TEST_CASE("provider proxy: the three provider routes over TLS with a virtual key; the provider sees the central's key") {
  FakeProvider fake;
  ProxyCentral central(fake);
  auto cli = central.client();

  // Anthropic, streamed: the bytes are the provider's own, byte for byte.
  auto direct_cli = make_client(fake.base_url());
  auto direct = post_streaming(direct_cli, "/v1/messages", k_stream_body, anthropic_headers(k_anthropic_key));
  REQUIRE(direct.ok);
  auto r = post_streaming(cli, "/anthropic/v1/messages?beta=true", k_stream_body, anthropic_headers(k_alice_secret));
  REQUIRE_MESSAGE(r.ok, r.error);
  CHECK(r.status == 200);
  CHECK(without_ids(r.body) == without_ids(direct.body));
  auto events = parse_sse(r.body);
  REQUIRE(events.size() >= 5);
  CHECK(events.front().event == "message_start");
  CHECK(events.back().event == "message_stop");
  auto reqs = fake.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[1]["path"] == "/v1/messages");
  CHECK(header(reqs[1], "x-api-key") == k_anthropic_key);
  CHECK(reqs[1].dump().find(k_alice_secret) == std::string::npos);

  // OpenAI Responses, with the key as a bearer token.
  auto o = cli.Post("/openai/v1/responses", {{"Authorization", std::string("Bearer ") + k_alice_secret}},
                    R"({"model":"gpt-5","input":"hi"})", "application/json");
  REQUIRE(o);
  CHECK(o->status == 200);
  CHECK(header(fake.requests().back(), "authorization") == std::string("Bearer ") + k_openai_key);

  // Gemini, with the key in x-goog-api-key.
  auto g = cli.Post("/gemini/v1beta/models/gemini-2.5-pro:generateContent", {{"x-goog-api-key", k_alice_secret}},
                    R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})", "application/json");
  REQUIRE(g);
  CHECK(g->status == 200);
  CHECK(header(fake.requests().back(), "x-goog-api-key") == k_gemini_key);
  for (const auto& q : fake.requests()) CHECK(q.dump().find(k_alice_secret) == std::string::npos);

  auto health = cli.Get("/v1/health");
  REQUIRE(health);
  CHECK(json::parse(health->body)["policy"] == "test");
}

TEST_CASE("provider proxy: unknown keys, no key and models outside a key's grant are refused in the provider's shape") {
  FakeProvider fake;
  ProxyCentral central(fake);
  auto cli = central.client();
  auto unknown = cli.Post("/anthropic/v1/messages", anthropic_headers("gwk-not-a-key"), k_stream_body, "application/json");
  REQUIRE(unknown);
  CHECK(unknown->status == 401);
  CHECK(json::parse(unknown->body)["type"] == "error");
  CHECK(unknown->body.find("unknown or revoked key") != std::string::npos);
  auto none = cli.Post("/openai/v1/responses", R"({"model":"gpt-5","input":"hi"})", "application/json");
  REQUIRE(none);
  CHECK(none->status == 401);
  // bob may use claude-* on anthropic only.
  auto other = cli.Post("/openai/v1/responses", {{"Authorization", std::string("Bearer ") + k_bob_secret}},
                        R"({"model":"gpt-5","input":"hi"})", "application/json");
  REQUIRE(other);
  CHECK(other->status >= 400);
  CHECK(fake.requests().empty());
  // A gw session token means nothing at the central.
  auto session = cli.Post("/anthropic/v1/messages", anthropic_headers("gws_0123456789abcdef"), k_stream_body, "application/json");
  REQUIRE(session);
  CHECK(session->status == 401);
  // Plain HTTP to the TLS port gets no answer.
  auto plain = make_client("http://127.0.0.1:" + std::to_string(central.proxy_port()));
  plain.set_read_timeout(5, 0);
  auto p = plain.Get("/v1/health");
  CHECK((!p || p->status >= 400));
}

TEST_CASE("provider proxy: guardrails block a secret before the provider sees it, or redact it") {
  FakeProvider fake;
  {
    ProxyCentral central(fake, {.policy_extra = "[guardrails]\nactions = { default = \"block\" }\n"});
    auto cli = central.client();
    auto r = cli.Post("/anthropic/v1/messages", anthropic_headers(k_alice_secret), anthropic_with_secret(false).dump(),
                      "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->body.find("aws-access-key-id") != std::string::npos);
    CHECK(r->body.find(k_aws) == std::string::npos);
    CHECK(fake.requests().empty());
  }
  {
    ProxyCentral central(fake, {.policy_extra = "[guardrails]\nactions = { default = \"redact\" }\n"});
    auto cli = central.client();
    auto r = post_streaming(cli, "/anthropic/v1/messages", anthropic_with_secret(true).dump(), anthropic_headers(k_alice_secret));
    REQUIRE(r.ok);
    CHECK(r.status == 200);
    auto reqs = fake.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0]["body"].dump().find(k_aws) == std::string::npos);
    CHECK(reqs[0]["body"].dump().find("[REDACTED:aws-access-key-id:") != std::string::npos);
  }
}

TEST_CASE("provider proxy: audit events of proxied requests are in the central store, chained, without secrets") {
  FakeProvider fake;
  ProxyCentral central(fake, {.server_extra = "[[siem]]\nname = \"file\"\ntype = \"file\"\ndestination = \"siem.jsonl\"\n"});
  auto cli = central.client();
  auto ok = post_streaming(cli, "/anthropic/v1/messages", k_stream_body, anthropic_headers(k_alice_secret));
  REQUIRE(ok.ok);
  auto denied = cli.Post("/anthropic/v1/messages", anthropic_headers("gwk-not-a-key"), k_stream_body, "application/json");
  REQUIRE(denied);
  // The SIEM feed carries them like any device's events (another process writes the file: wait
  // on its changes, bounded).
  auto siem_lines = [&] {
    std::ifstream in(central.dir() / "siem.jsonl");
    size_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.find(k_proxy_device) != std::string::npos;
    return n;
  };
  wait_for_file_change(central.dir() / "siem.jsonl", [&] { return siem_lines() >= 3; }, std::chrono::seconds(30));
  CHECK(siem_lines() == 3);
  central.stop();  // a clean stop hands everything the proxy's spool holds to the store

  auto events = central.proxy_events();
  std::vector<std::string> kinds;
  for (const auto& e : events) kinds.push_back(e.value("kind", ""));
  CAPTURE(json(events).dump());
  CAPTURE(central.process().stderr_text());
  REQUIRE(events.size() == 3);
  CHECK(kinds == std::vector<std::string>{"admitted", "completed", "denied"});
  CHECK(events[0]["virtual_key_id"] == "alice");
  CHECK(events[0]["device_id"] == k_proxy_device);
  CHECK(events[1]["http_status"] == 200);
  CHECK(events[1]["usage"]["output"].get<int>() > 0);
  CHECK(events[2]["http_status"] == 401);
  auto store = central.open_store();
  auto dev = store->find_device(k_proxy_device);
  REQUIRE(dev);
  REQUIRE(dev->has_value());
  CHECK((*dev)->enrollment_id == "central");
  CHECK((*dev)->alarms == 0);
  for (const auto& e : events) CHECK(e.dump().find(k_alice_secret) == std::string::npos);
}

TEST_CASE("provider proxy: a sidecar chained to the central streams end to end with the developer's virtual key") {
  FakeProvider fake({.expect_keys = {std::string("anthropic=") + k_anthropic_key}});
  ProxyCentral central(fake);
  SidecarOptions so;
  so.upstream_base = central.proxy_url() + "/anthropic";
  so.extra_env["ANTHROPIC_API_KEY"] = k_alice_secret;  // the sidecar's "provider key" is the virtual key
  so.extra_args = {"--ca-file", central.tls().cert.string()};
  Sidecar sc(fake, so);
  std::string token = sc.mint();
  auto cli = sc.client();
  auto r = post_streaming(cli, "/anthropic/v1/messages", k_stream_body,
                          {{"Authorization", "Bearer " + token}, {"anthropic-version", "2023-06-01"}});
  REQUIRE_MESSAGE(r.ok, r.error);
  CHECK(r.status == 200);
  auto direct_cli = make_client(fake.base_url());
  auto direct = post_streaming(direct_cli, "/v1/messages", k_stream_body, anthropic_headers(k_anthropic_key));
  CHECK(without_ids(r.body) == without_ids(direct.body));
  auto reqs = fake.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(header(reqs[0], "x-api-key") == k_anthropic_key);
  CHECK(reqs[0].dump().find(k_alice_secret) == std::string::npos);
  CHECK(reqs[0].dump().find(token) == std::string::npos);
}

TEST_CASE("provider proxy: gw serve --check validates the [proxy] policy file and says what it would serve") {
  TempDir dir("gw-proxy-check");
  Env env = minimal_env(dir.path());
  std::ofstream(dir.path() / "bad.toml") << "version = \"x\"\nnonsense = 1\n";
  std::ofstream(dir.path() / "server.toml") << "listen = \"127.0.0.1:8443\"\n[storage]\npath = \"central.db\"\n"
                                               "[proxy]\nlisten = \"127.0.0.1:8444\"\npolicy = \"bad.toml\"\n";
  auto bad = run_gw(env, {"serve", "--config", (dir.path() / "server.toml").string(), "--check"});
  CHECK(bad.code == 1);
  CHECK(bad.err.find("[proxy] policy:") != std::string::npos);
  CHECK(bad.err.find("nonsense") != std::string::npos);
  std::ofstream(dir.path() / "bad.toml") << "version = \"x\"\n";
  auto ok = run_gw(env, {"serve", "--config", (dir.path() / "server.toml").string(), "--check"});
  CHECK_MESSAGE(ok.code == 0, ok.err);
  CHECK(ok.out.find("provider proxy: listen 127.0.0.1:8444, plain HTTP, policy: the published bundle, else ") !=
        std::string::npos);
}
