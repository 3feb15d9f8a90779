#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/http/sse.hpp"
#include "core/providers/client_info.hpp"
#include "core/providers/registry.hpp"

using namespace gw;

// Feeds a recorded SSE stream through the provider's tap, split into small pieces as a network
// would deliver it.
static std::unique_ptr<providers::UsageTap> tap_stream(const char* id, const char* method, const char* path,
                                                       const std::string& stream) {
  providers::Registry r;
  const auto* p = r.by_id(id);
  auto tap = p->usage_tap(*p->route(method, path), true);
  http::SseParser parser([&](const http::SseEvent& ev) { tap->on_event(ev); });
  for (size_t i = 0; i < stream.size(); i += 7) parser.feed(std::string_view(stream).substr(i, 7));
  return tap;
}

TEST_CASE("Anthropic usage: input and cache from message_start, last cumulative output from message_delta") {
  std::string s =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":10,"
      "\"cache_creation_input_tokens\":300,\"cache_read_input_tokens\":2000,\"cache_creation\":{"
      "\"ephemeral_5m_input_tokens\":100,\"ephemeral_1h_input_tokens\":200},\"output_tokens\":1}}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"hi\"}}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":17}}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":42}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  auto tap = tap_stream("anthropic", "POST", "/v1/messages", s);
  const auto& u = tap->usage();
  CHECK(u.reported);
  CHECK(u.input == 10);
  CHECK(u.cache_read == 2000);
  CHECK(u.cache_write_5m == 100);
  CHECK(u.cache_write_1h == 200);
  CHECK(u.output == 42);
  CHECK(tap->completed());
}

TEST_CASE("Anthropic usage: a cut stream keeps what was seen and is not completed") {
  std::string s =
      "event: message_start\ndata: {\"message\":{\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
      "event: content_block_delta\ndata: {}\n\n";
  auto tap = tap_stream("anthropic", "POST", "/v1/messages", s);
  CHECK(tap->usage().input == 5);
  CHECK(tap->usage().output == 1);
  CHECK_FALSE(tap->completed());
}

TEST_CASE("Responses usage: from response.completed; cached tokens split out of input") {
  std::string s =
      "event: response.created\ndata: {\"type\":\"response.created\"}\n\n"
      "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"usage\":{"
      "\"input_tokens\":1000,\"input_tokens_details\":{\"cached_tokens\":600},\"output_tokens\":80,"
      "\"output_tokens_details\":{\"reasoning_tokens\":30},\"total_tokens\":1080}}}\n\n";
  auto tap = tap_stream("openai", "POST", "/v1/responses", s);
  CHECK(tap->usage().input == 400);
  CHECK(tap->usage().cache_read == 600);
  CHECK(tap->usage().output == 80);
  CHECK(tap->usage().reasoning == 30);
  CHECK(tap->completed());
}

TEST_CASE("Chat usage: the include_usage chunk, then [DONE]") {
  std::string s =
      "data: {\"choices\":[{\"delta\":{\"content\":\"po\"}}]}\n\n"
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":7,"
      "\"prompt_tokens_details\":{\"cached_tokens\":20}}}\n\n"
      "data: [DONE]\n\n";
  auto tap = tap_stream("openai", "POST", "/v1/chat/completions", s);
  CHECK(tap->usage().input == 30);
  CHECK(tap->usage().cache_read == 20);
  CHECK(tap->usage().output == 7);
  CHECK(tap->completed());
}

TEST_CASE("Gemini usage: the last cumulative usageMetadata, CRLF separators, thoughts billed as output") {
  std::string s =
      "data: {\"candidates\":[{\"content\":{}}],\"usageMetadata\":{\"promptTokenCount\":100,\"candidatesTokenCount\":1}}\r\n\r\n"
      "data: {\"candidates\":[{\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":100,"
      "\"cachedContentTokenCount\":40,\"candidatesTokenCount\":9,\"thoughtsTokenCount\":5,\"toolUsePromptTokenCount\":3}}\r\n\r\n";
  auto tap = tap_stream("gemini", "POST", "/v1beta/models/m:streamGenerateContent", s);
  CHECK(tap->usage().input == 63);
  CHECK(tap->usage().cache_read == 40);
  CHECK(tap->usage().output == 14);
  CHECK(tap->usage().reasoning == 5);
  CHECK(tap->completed());
}

TEST_CASE("Usage from non-stream JSON bodies of each API") {
  providers::Registry r;
  auto a = r.by_id("anthropic")->usage_tap(*r.by_id("anthropic")->route("POST", "/v1/messages"), false);
  a->on_json_body(R"({"type":"message","usage":{"input_tokens":3,"output_tokens":4,"cache_read_input_tokens":5}})");
  CHECK(a->usage().input == 3);
  CHECK(a->usage().output == 4);
  CHECK(a->usage().cache_read == 5);
  auto g = r.by_id("gemini")->usage_tap(*r.by_id("gemini")->route("POST", "/v1beta/models/m:streamGenerateContent"), false);
  g->on_json_body(R"([{"usageMetadata":{"promptTokenCount":1}},{"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":2}}])");
  CHECK(g->usage().input == 8);
  CHECK(g->usage().output == 2);
}

TEST_CASE("Error replies use each provider's own error shape") {
  providers::Registry r;
  providers::ErrorSpec spec{429, "gw: rate limit", 7, "req_1"};
  auto a = r.by_id("anthropic")->error_reply(spec);
  auto aj = nlohmann::json::parse(a.body);
  CHECK(a.status == 429);
  CHECK(aj["type"] == "error");
  CHECK(aj["error"]["type"] == "rate_limit_error");
  CHECK(aj["error"]["message"] == "gw: rate limit");
  CHECK(a.headers.get("retry-after") == "7");
  CHECK(a.headers.get("request-id") == "req_1");

  auto o = nlohmann::json::parse(r.by_id("openai")->error_reply(spec).body);
  CHECK(o["error"]["message"] == "gw: rate limit");
  CHECK(o["error"]["type"] == "rate_limit_error");
  CHECK(o["error"].contains("param"));

  auto g = nlohmann::json::parse(r.by_id("gemini")->error_reply(spec).body);
  CHECK(g["error"]["code"] == 429);
  CHECK(g["error"]["status"] == "RESOURCE_EXHAUSTED");
  CHECK(g["error"]["details"][0]["retryDelay"] == "7s");

  auto a401 = nlohmann::json::parse(r.by_id("anthropic")->error_reply({401, "no"}).body);
  CHECK(a401["error"]["type"] == "authentication_error");
  auto g403 = nlohmann::json::parse(r.by_id("gemini")->error_reply({403, "no"}).body);
  CHECK(g403["error"]["status"] == "PERMISSION_DENIED");
}

TEST_CASE("Client detection from the real agents' headers") {
  http::Headers claude;
  claude.add("User-Agent", "claude-cli/2.1.197 (external, sdk-cli)");
  claude.add("X-Claude-Code-Session-Id", "abc");
  auto c = providers::detect_client(claude);
  CHECK(c.agent == "claude-code");
  CHECK(c.session_id == "abc");
  http::Headers codex;
  codex.add("originator", "codex_exec");
  codex.add("session-id", "s1");
  CHECK(providers::detect_client(codex).agent == "codex");
  CHECK(providers::detect_client(codex).session_id == "s1");
  http::Headers gem;
  gem.add("User-Agent", "GeminiCLI-tui/0.61.0/gemini-3.1-pro-preview (linux; x64; terminal)");
  CHECK(providers::detect_client(gem).agent == "gemini-cli");
}
