#include <doctest/doctest.h>

#include "core/providers/registry.hpp"

using gw::providers::Endpoint;
using gw::providers::Registry;

static gw::http::Headers hdr(std::initializer_list<std::pair<const char*, const char*>> kv) {
  gw::http::Headers h;
  for (auto& [k, v] : kv) h.add(k, v);
  return h;
}

TEST_CASE("Registry: prefixed and bare paths reach the right provider and endpoint") {
  Registry r;
  struct Case {
    const char* method;
    const char* path;
    const char* provider;
    std::optional<Endpoint> endpoint;
    const char* stripped;
  } cases[] = {
      {"POST", "/anthropic/v1/messages", "anthropic", Endpoint::messages, "/v1/messages"},
      {"POST", "/v1/messages", "anthropic", Endpoint::messages, "/v1/messages"},
      {"POST", "/v1/messages/count_tokens", "anthropic", Endpoint::count_tokens, "/v1/messages/count_tokens"},
      {"HEAD", "/", "anthropic", Endpoint::preconnect, "/"},
      {"HEAD", "/anthropic", "anthropic", Endpoint::preconnect, "/"},
      {"POST", "/openai/v1/responses", "openai", Endpoint::responses, "/v1/responses"},
      {"POST", "/v1/responses", "openai", Endpoint::responses, "/v1/responses"},
      {"POST", "/v1/chat/completions", "openai", Endpoint::chat_completions, "/v1/chat/completions"},
      {"GET", "/v1/models", "openai", Endpoint::models, "/v1/models"},
      {"POST", "/gemini/v1beta/models/gemini-3.8-flash:streamGenerateContent", "gemini", Endpoint::generate_content,
       "/v1beta/models/gemini-3.8-flash:streamGenerateContent"},
      {"POST", "/v1beta/models/gemini-2.5-pro:generateContent", "gemini", Endpoint::generate_content,
       "/v1beta/models/gemini-2.5-pro:generateContent"},
      {"POST", "/v1beta/models/gemini-2.5-pro:countTokens", "gemini", Endpoint::count_tokens,
       "/v1beta/models/gemini-2.5-pro:countTokens"},
      {"POST", "/anthropic/v1/nope", "anthropic", std::nullopt, "/v1/nope"},
      {"POST", "/v1beta/models/x:explode", "gemini", std::nullopt, "/v1beta/models/x:explode"},
      {"POST", "/v1/embeddings", "openai", std::nullopt, "/v1/embeddings"},
      {"POST", "/anthropicx/v1/messages", "openai", std::nullopt, "/anthropicx/v1/messages"},
  };
  for (const auto& c : cases) {
    auto res = r.resolve(c.method, c.path, {});
    INFO(c.method << " " << c.path);
    CHECK(res.provider->id() == c.provider);
    CHECK(res.path == c.stripped);
    REQUIRE(res.route.has_value() == c.endpoint.has_value());
    if (c.endpoint) CHECK(res.route->endpoint == *c.endpoint);
  }
}

TEST_CASE("Registry: GET /v1/models goes to Anthropic when the client speaks Anthropic") {
  Registry r;
  CHECK(r.resolve("GET", "/v1/models", hdr({{"anthropic-version", "2023-06-01"}})).provider->id() == "anthropic");
  CHECK(r.resolve("GET", "/v1/models", hdr({{"authorization", "Bearer x"}})).provider->id() == "openai");
}

TEST_CASE("Registry: Gemini routes carry the model and the stream flag from the path") {
  Registry r;
  auto res = r.resolve("POST", "/v1beta/models/gemini-3.1-pro-preview:streamGenerateContent", {});
  REQUIRE(res.route);
  CHECK(res.route->model_in_path == "gemini-3.1-pro-preview");
  CHECK(res.route->stream_in_path);
  CHECK(res.route->billable);
  auto ct = r.resolve("POST", "/v1beta/models/gemini-3.1-pro-preview:countTokens", {});
  REQUIRE(ct.route);
  CHECK_FALSE(ct.route->billable);
}
