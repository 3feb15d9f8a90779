// The fake provider's wire shapes: each API route, streaming and not, token usage, the request
// log. Fault injection is in fake_provider_faults_test.cpp.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

using gw::test::FakeProvider;
using gw::test::make_client;
using gw::test::parse_sse;
using gw::test::post_streaming;
using nlohmann::json;

namespace {

std::vector<std::string> event_names(const std::string& body) {
  std::vector<std::string> out;
  for (auto& e : parse_sse(body)) out.push_back(e.event);
  return out;
}

// Sends raw bytes on a fresh connection and returns everything until the server closes.
std::string raw_exchange(int port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::send(fd, bytes.data(), bytes.size(), 0) == ssize_t(bytes.size()));
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, size_t(n));
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("FakeProvider: Anthropic stream has the full event sequence and exact usage") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  std::string body = json{{"model", "claude-opus-4-8"}, {"stream", true}, {"max_tokens", 100},
                          {"messages", {{{"role", "user"}, {"content", "say pong"}}}}}.dump();
  auto r = post_streaming(cli, "/anthropic/v1/messages?beta=true", body);
  REQUIRE(r.ok);
  CHECK(r.status == 200);
  CHECK(r.headers.find("Content-Type")->second.rfind("text/event-stream", 0) == 0);
  CHECK(event_names(r.body) == std::vector<std::string>{"message_start", "content_block_start", "ping",
                                                        "content_block_delta", "content_block_delta",
                                                        "content_block_stop", "message_delta", "message_stop"});
  auto events = parse_sse(r.body);
  json start = json::parse(events[0].data);
  long input = long(body.size() / 4);
  CHECK(start["message"]["usage"]["input_tokens"] == input);
  CHECK(start["message"]["usage"]["cache_read_input_tokens"] == 0);
  CHECK(start["message"]["model"] == "claude-opus-4-8");
  std::string text;
  for (auto& e : events)
    if (e.event == "content_block_delta") text += json::parse(e.data)["delta"]["text"].get<std::string>();
  CHECK(text == "pong");
  json delta = json::parse(events[6].data);
  CHECK(delta["usage"]["output_tokens"] == 2);
  CHECK(delta["usage"]["input_tokens"] == input);
  CHECK(delta["delta"]["stop_reason"] == "end_turn");
}

TEST_CASE("FakeProvider: Anthropic JSON reply, count_tokens, model lists and HEAD /") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  std::string body = json{{"model", "claude-haiku-4-5"}, {"messages", json::array()}}.dump();
  auto res = cli.Post("/v1/messages", body, "application/json");
  REQUIRE(res);
  json msg = json::parse(res->body);
  CHECK(msg["content"][0]["text"] == "pong");
  CHECK(msg["usage"]["input_tokens"] == long(body.size() / 4));
  CHECK(msg["usage"]["output_tokens"] == 2);
  CHECK(res->get_header_value("request-id").rfind("req_", 0) == 0);

  res = cli.Post("/v1/messages/count_tokens?beta=true", body, "application/json");
  REQUIRE(res);
  CHECK(json::parse(res->body) == json{{"input_tokens", long(body.size() / 4)}});

  res = cli.Get("/v1/models?limit=1000", {{"anthropic-version", "2023-06-01"}});
  REQUIRE(res);
  CHECK(json::parse(res->body)["data"][0]["type"] == "model");
  res = cli.Get("/v1/models");
  REQUIRE(res);
  CHECK(json::parse(res->body)["object"] == "list");
  res = cli.Head("/");
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("FakeProvider: Responses stream ends with response.completed carrying usage") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  std::string body = json{{"model", "gpt-5-codex"}, {"stream", true}, {"input", json::array()}}.dump();
  auto r = post_streaming(cli, "/openai/v1/responses", body);
  REQUIRE(r.ok);
  CHECK(event_names(r.body) ==
        std::vector<std::string>{"response.created", "response.in_progress", "response.output_item.added",
                                 "response.content_part.added", "response.output_text.delta",
                                 "response.output_text.delta", "response.output_text.done",
                                 "response.content_part.done", "response.output_item.done",
                                 "response.completed"});
  json done = json::parse(parse_sse(r.body).back().data);
  json usage = done["response"]["usage"];
  CHECK(usage["input_tokens"] == long(body.size() / 4));
  CHECK(usage["output_tokens"] == 2);
  CHECK(usage["input_tokens_details"]["cached_tokens"] == 0);
  CHECK(usage["output_tokens_details"]["reasoning_tokens"] == 0);
  CHECK(done["response"]["output"][0]["content"][0]["text"] == "pong");
}

TEST_CASE("FakeProvider: a json_schema request gets JSON that fits the schema") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  json schema = {{"type", "object"},
                 {"properties", {{"title", {{"type", "string"}, {"minLength", 1}, {"maxLength", 36}}}}},
                 {"required", {"title"}}};
  json body = {{"model", "gpt-5-codex"}, {"stream", false}, {"tools", json::array()},
               {"text", {{"format", {{"type", "json_schema"}, {"name", "codex_output_schema"}, {"schema", schema}}}}}};
  auto res = cli.Post("/v1/responses", body.dump(), "application/json");
  REQUIRE(res);
  json title = json::parse(json::parse(res->body)["output"][0]["content"][0]["text"].get<std::string>());
  CHECK(title["title"].is_string());

  // The Gemini CLI router classifier.
  json gen = {{"contents", json::array()},
              {"generationConfig",
               {{"responseMimeType", "application/json"},
                {"responseJsonSchema",
                 {{"type", "OBJECT"},
                  {"properties", {{"complexity_reasoning", {{"type", "STRING"}}},
                                  {"complexity_score", {{"type", "INTEGER"}}}}},
                  {"required", {"complexity_reasoning", "complexity_score"}}}}}}};
  res = cli.Post("/v1beta/models/gemini-3.5-flash-lite:generateContent", gen.dump(), "application/json");
  REQUIRE(res);
  json reply = json::parse(res->body);
  json verdict = json::parse(reply["candidates"][0]["content"]["parts"][0]["text"].get<std::string>());
  CHECK(verdict["complexity_reasoning"].is_string());
  CHECK(verdict["complexity_score"].get<int>() >= 1);
  CHECK(verdict["complexity_score"].get<int>() <= 100);
  CHECK(reply["usageMetadata"]["promptTokenCount"] == long(gen.dump().size() / 4));
}

TEST_CASE("FakeProvider: Chat Completions stream sends the usage chunk only when asked") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  json body = {{"model", "gpt-x"}, {"stream", true}, {"messages", json::array()}};
  auto plain = post_streaming(cli, "/v1/chat/completions", body.dump());
  REQUIRE(plain.ok);
  auto ev = parse_sse(plain.body);
  CHECK(ev.back().data == "[DONE]");
  CHECK(plain.body.find("\"usage\"") == std::string::npos);

  body["stream_options"] = {{"include_usage", true}};
  auto with_usage = post_streaming(cli, "/v1/chat/completions", body.dump());
  ev = parse_sse(with_usage.body);
  REQUIRE(ev.size() >= 3);
  CHECK(ev.back().data == "[DONE]");
  json last = json::parse(ev[ev.size() - 2].data);
  CHECK(last["choices"].empty());
  CHECK(last["usage"]["prompt_tokens"] == long(body.dump().size() / 4));
  CHECK(last["usage"]["completion_tokens"] == 2);

  auto res = cli.Post("/v1/chat/completions", json{{"model", "gpt-x"}}.dump(), "application/json");
  REQUIRE(res);
  CHECK(json::parse(res->body)["choices"][0]["message"]["content"] == "pong");
}

TEST_CASE("FakeProvider: Gemini stream uses CRLF separators and cumulative usage") {
  FakeProvider fake;
  auto cli = make_client(fake.base_url());
  std::string body = json{{"contents", {{{"role", "user"}, {"parts", {{{"text", "say pong"}}}}}}}}.dump();
  auto r = post_streaming(cli, "/gemini/v1beta/models/gemini-3.8-flash:streamGenerateContent?alt=sse", body);
  REQUIRE(r.ok);
  CHECK(r.body.find("\r\n\r\n") != std::string::npos);
  auto ev = parse_sse(r.body);
  REQUIRE(ev.size() == 2);
  std::string text;
  long candidates = 0;
  for (auto& e : ev) {
    json c = json::parse(e.data);
    text += c["candidates"][0]["content"]["parts"][0]["text"].get<std::string>();
    CHECK(c["usageMetadata"]["promptTokenCount"] == long(body.size() / 4));
    CHECK(c["usageMetadata"]["candidatesTokenCount"].get<long>() == candidates + 1);
    candidates = c["usageMetadata"]["candidatesTokenCount"];
    CHECK(c["modelVersion"] == "gemini-3.8-flash");
  }
  CHECK(text == "pong");
  CHECK(json::parse(ev.back().data)["candidates"][0]["finishReason"] == "STOP");

  auto res = cli.Post("/v1beta/models/gemini-3.8-flash:countTokens", body, "application/json");
  REQUIRE(res);
  CHECK(json::parse(res->body)["totalTokens"] == long(body.size() / 4));
}

TEST_CASE("FakeProvider: the request log keeps headers in arrival order and is written before the reply") {
  FakeProvider fake;
  std::string body = R"({"model":"m","messages":[]})";
  std::string reply = raw_exchange(
      fake.port(), "POST /anthropic/v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1\r\nZeta-Last: z\r\n"
                   "alpha-first: a\r\nX-API-Key: k1\r\nContent-Type: application/json\r\nConnection: close\r\n"
                   "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  CHECK(reply.rfind("HTTP/1.1 200", 0) == 0);
  auto reqs = fake.requests();
  REQUIRE(reqs.size() == 1);
  json r = reqs[0];
  CHECK(r["method"] == "POST");
  CHECK(r["path"] == "/anthropic/v1/messages");
  CHECK(r["query"] == "beta=true");
  CHECK(r["api"] == "anthropic");
  CHECK(r["body"]["model"] == "m");
  CHECK(r["status"] == 200);
  json names = json::array();
  for (auto& h : r["headers"]) names.push_back(h[0]);
  CHECK(names == json{"Host", "Zeta-Last", "alpha-first", "X-API-Key", "Content-Type", "Connection", "Content-Length"});
  CHECK(r["headers"][3][1] == "k1");

  auto cli = make_client(fake.base_url());
  auto log = cli.Get("/__log");
  REQUIRE(log);
  CHECK(json::parse(log->body).size() == 1);  // test-only routes are not logged
}
