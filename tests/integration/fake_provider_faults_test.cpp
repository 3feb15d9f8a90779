// The fake provider's fault injection (/__control), credential checks and TLS.
#include <doctest/doctest.h>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

using gw::test::FakeProvider;
using gw::test::FakeProviderOptions;
using gw::test::make_client;
using gw::test::parse_sse;
using gw::test::post_streaming;
using nlohmann::json;

namespace {

const std::string k_anthropic_stream = R"({"model":"claude-opus-4-8","stream":true,"messages":[]})";
const std::string k_responses_stream = R"({"model":"gpt-5-codex","stream":true,"input":[]})";
const std::string k_gemini_path = "/v1beta/models/gemini-3.8-flash:streamGenerateContent?alt=sse";

}  // namespace

TEST_CASE("FakeProvider: status fault answers the next N model requests in each provider's error shape") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  auto ack = fake.control({{"mode", "status"}, {"status", 429}, {"count", 2}, {"retry_after", 3}});
  CHECK(ack["pending"].size() == 1);
  for (int i = 0; i < 2; ++i) {
    auto res = cli.Post("/v1/messages", R"({"model":"m"})", "application/json");
    REQUIRE(res);
    CHECK(res->status == 429);
    CHECK(res->get_header_value("retry-after") == "3");
    json err = json::parse(res->body);
    CHECK(err["type"] == "error");
    CHECK(err["error"]["type"] == "rate_limit_error");
  }
  auto res = cli.Post("/v1/messages", R"({"model":"m"})", "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);

  fake.control({{"mode", "status"}, {"status", 429}, {"retry_after", 2}});
  res = cli.Post("/v1beta/models/g:generateContent", "{}", "application/json");
  REQUIRE(res);
  json gerr = json::parse(res->body)["error"];
  CHECK(gerr["status"] == "RESOURCE_EXHAUSTED");
  CHECK(gerr["details"][0]["@type"] == "type.googleapis.com/google.rpc.RetryInfo");
  CHECK(gerr["details"][0]["retryDelay"] == "2s");

  // GET with query parameters works too, and `api` limits a fault to one provider.
  res = cli.Get("/__control?mode=status&status=529&api=openai");
  REQUIRE(res);
  CHECK(cli.Post("/v1/messages", R"({"model":"m"})", "application/json")->status == 200);
  res = cli.Post("/v1/responses", R"({"model":"m"})", "application/json");
  CHECK(res->status == 529);
  CHECK(json::parse(res->body)["error"]["type"] == "server_error");
  CHECK(cli.Get("/__control?mode=nonsense")->status == 400);
}

TEST_CASE("FakeProvider: cut fault closes the stream after N events, without the terminal event") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  fake.control({{"mode", "cut"}, {"after_events", 2}});
  // A non-streaming request does not consume a stream fault.
  CHECK(cli.Post("/v1/messages", R"({"model":"m"})", "application/json")->status == 200);
  auto r = post_streaming(cli, "/v1/messages", k_anthropic_stream);
  CHECK_FALSE(r.ok);
  CHECK(r.status == 200);
  auto ev = parse_sse(r.body);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].event == "message_start");
  CHECK(ev[1].event == "content_block_start");
  auto again = post_streaming(cli, "/v1/messages", k_anthropic_stream);
  CHECK(again.ok);
  CHECK(parse_sse(again.body).back().event == "message_stop");
}

TEST_CASE("FakeProvider: pause fault holds the stream silent after the first event, then completes") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  fake.control({{"mode", "pause"}, {"pause_ms", 300}});
  auto r = post_streaming(cli, "/v1/responses", k_responses_stream);
  REQUIRE(r.ok);
  CHECK(parse_sse(r.body).back().event == "response.completed");
  REQUIRE(r.chunks.size() >= 2);
  // The first event comes alone; the rest only after the pause (a lower bound, whatever the load).
  CHECK(parse_sse(r.chunks[0].data).size() == 1);
  CHECK(r.chunks[0].data.find("response.created") != std::string::npos);
  CHECK(r.chunks[1].at - r.started >= std::chrono::milliseconds(300));
}

TEST_CASE("FakeProvider: instream_error fault sends each provider's in-stream error") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  fake.control({{"mode", "instream_error"}, {"count", 3}});
  auto a = parse_sse(post_streaming(cli, "/v1/messages", k_anthropic_stream).body);
  CHECK(a.back().event == "error");
  CHECK(json::parse(a.back().data)["error"]["type"] == "overloaded_error");
  auto o = parse_sse(post_streaming(cli, "/v1/responses", k_responses_stream).body);
  CHECK(o.back().event == "response.failed");
  CHECK(json::parse(o.back().data)["response"]["error"]["code"] == "server_error");
  auto g = parse_sse(post_streaming(cli, k_gemini_path, "{}").body);
  CHECK(json::parse(g.back().data)["error"]["status"] == "UNAVAILABLE");
}

TEST_CASE("FakeProvider: tool_call fault answers with a tool call, then text again") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  json input = {{"file_path", "/etc/hostname"}};
  fake.control({{"mode", "tool_call"}, {"tool", "Read"}, {"input", input}, {"count", 3}});

  auto a = parse_sse(post_streaming(cli, "/v1/messages", k_anthropic_stream).body);
  json start = json::parse(a[1].data)["content_block"];
  CHECK(start["type"] == "tool_use");
  CHECK(start["name"] == "Read");
  std::string args;
  for (auto& e : a)
    if (e.event == "content_block_delta") args += json::parse(e.data)["delta"]["partial_json"].get<std::string>();
  CHECK(json::parse(args) == input);
  CHECK(json::parse(a[a.size() - 2].data)["delta"]["stop_reason"] == "tool_use");

  auto o = parse_sse(post_streaming(cli, "/v1/responses", k_responses_stream).body);
  json item = json::parse(o.back().data)["response"]["output"][0];
  CHECK(item["type"] == "function_call");
  CHECK(item["name"] == "Read");
  CHECK(json::parse(item["arguments"].get<std::string>()) == input);

  auto g = parse_sse(post_streaming(cli, k_gemini_path, "{}").body);
  json call = json::parse(g[0].data)["candidates"][0]["content"]["parts"][0]["functionCall"];
  CHECK(call["name"] == "Read");
  CHECK(call["args"] == input);

  auto after = cli.Post("/v1/messages", R"({"model":"m"})", "application/json");
  CHECK(json::parse(after->body)["content"][0]["type"] == "text");
}

TEST_CASE("FakeProvider: usage fault reports cache and reasoning tokens") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  fake.control({{"mode", "usage"}, {"cache_read", 5}, {"cache_write", 3}, {"reasoning", 4}, {"count", 2}});
  std::string body = json{{"model", "m"}, {"pad", std::string(200, 'x')}}.dump();
  json msg = json::parse(cli.Post("/v1/messages", body, "application/json")->body);
  CHECK(msg["usage"]["cache_read_input_tokens"] == 5);
  CHECK(msg["usage"]["cache_creation_input_tokens"] == 3);
  CHECK(msg["usage"]["input_tokens"] == long(body.size() / 4) - 8);
  json resp = json::parse(cli.Post("/v1/responses", body, "application/json")->body);
  CHECK(resp["usage"]["input_tokens"] == long(body.size() / 4));
  CHECK(resp["usage"]["input_tokens_details"]["cached_tokens"] == 5);
  CHECK(resp["usage"]["output_tokens_details"]["reasoning_tokens"] == 4);
  CHECK(resp["usage"]["output_tokens"] == 6);
}

TEST_CASE("FakeProvider: --expect-key rejects other credentials with 401 in the provider's shape") {
  FakeProviderOptions opts;
  opts.expect_keys = {"anthropic=ak", "openai=ok", "gemini=gk"};
  FakeProvider fake(opts);
  auto cli = make_client(fake.base_url());
  auto a = cli.Post("/v1/messages", {{"x-api-key", "wrong"}}, R"({"model":"m"})", "application/json");
  CHECK(a->status == 401);
  CHECK(json::parse(a->body)["error"]["type"] == "authentication_error");
  CHECK(cli.Post("/v1/messages", {{"x-api-key", "ak"}}, R"({"model":"m"})", "application/json")->status == 200);
  CHECK(cli.Post("/v1/messages", {{"Authorization", "Bearer ak"}}, R"({"model":"m"})", "application/json")->status == 200);

  auto o = cli.Post("/v1/responses", R"({"model":"m"})", "application/json");
  CHECK(o->status == 401);
  CHECK(json::parse(o->body)["error"]["code"] == "invalid_api_key");
  CHECK(cli.Post("/v1/responses", {{"Authorization", "Bearer ok"}}, R"({"model":"m"})", "application/json")->status == 200);

  auto g = cli.Post("/v1beta/models/g:generateContent", {{"x-goog-api-key", "ak"}}, "{}", "application/json");
  CHECK(g->status == 401);
  CHECK(json::parse(g->body)["error"]["status"] == "UNAUTHENTICATED");
  CHECK(cli.Post("/v1beta/models/g:generateContent", {{"x-goog-api-key", "gk"}}, "{}", "application/json")->status == 200);
  CHECK(cli.Post("/v1beta/models/g:generateContent?key=gk", "{}", "application/json")->status == 200);
}

TEST_CASE("FakeProvider: serves HTTPS with the given certificate") {
  gw::test::TempDir dir;
  auto tls = gw::test::make_self_signed_cert(dir.path());
  FakeProviderOptions opts;
  opts.tls_cert = tls.cert;
  opts.tls_key = tls.key;
  FakeProvider fake(opts);
  CHECK(fake.base_url().rfind("https://", 0) == 0);
  auto cli = make_client(fake.base_url());
  auto r = post_streaming(cli, "/v1/messages", k_anthropic_stream);
  REQUIRE(r.ok);
  CHECK(parse_sse(r.body).back().event == "message_stop");
  auto reqs = fake.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0]["tls"] == true);
  CHECK(reqs[0]["headers"].size() >= 2);
}
