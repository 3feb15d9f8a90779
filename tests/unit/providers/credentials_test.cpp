#include <doctest/doctest.h>

#include "core/providers/registry.hpp"

using namespace gw;

TEST_CASE("Providers: presented credential, stripping and the real key's place") {
  providers::Registry r;
  SUBCASE("anthropic: Bearer or x-api-key in, x-api-key out") {
    const auto* p = r.by_id("anthropic");
    http::Request req;
    req.headers.add("Authorization", "Bearer gws_tok");
    req.headers.add("x-api-key", "other");
    CHECK(p->presented_credential(req) == "gws_tok");
    p->strip_credentials(req);
    CHECK_FALSE(req.headers.has("authorization"));
    CHECK_FALSE(req.headers.has("x-api-key"));
    p->set_credential(req, "sk-ant-real");
    CHECK(req.headers.get("x-api-key") == "sk-ant-real");
  }
  SUBCASE("openai: Bearer in and out") {
    const auto* p = r.by_id("openai");
    http::Request req;
    req.headers.add("authorization", "Bearer gws_tok");
    CHECK(p->presented_credential(req) == "gws_tok");
    p->strip_credentials(req);
    p->set_credential(req, "sk-real");
    CHECK(req.headers.get("Authorization") == "Bearer sk-real");
  }
  SUBCASE("gemini: x-goog-api-key, Bearer or ?key= in; all removed; x-goog-api-key out") {
    const auto* p = r.by_id("gemini");
    http::Request req;
    req.query = "alt=sse&key=gws_q";
    CHECK(p->presented_credential(req) == "gws_q");
    req.headers.add("x-goog-api-key", "gws_h");
    CHECK(p->presented_credential(req) == "gws_h");
    p->strip_credentials(req);
    CHECK(req.query == "alt=sse");
    CHECK_FALSE(req.headers.has("x-goog-api-key"));
    p->set_credential(req, "gm-real");
    CHECK(req.headers.get("x-goog-api-key") == "gm-real");
  }
}

TEST_CASE("Providers: inspect reads model, stream and output caps; bad bodies get precise errors") {
  providers::Registry r;
  const auto* a = r.by_id("anthropic");
  auto route = *a->route("POST", "/v1/messages");
  http::Request req;
  req.body = R"({"model":"claude-opus-4-8","max_tokens":64000,"stream":true,"messages":[]})";
  auto info = a->inspect(route, req);
  REQUIRE(info);
  CHECK(info->model == "claude-opus-4-8");
  CHECK(info->stream);
  CHECK(info->max_output_tokens == 64000);

  req.body = R"({"max_tokens":1})";
  CHECK(a->inspect(route, req).error().message == "the request has no \"model\" field");
  req.body = R"({"model":42})";
  CHECK(a->inspect(route, req).error().message == "the request's \"model\" field must be a string");
  req.body = R"([1,2])";
  CHECK(a->inspect(route, req).error().message == "the request body must be a JSON object");
  req.body = R"({"model":"x",)";
  CHECK(a->inspect(route, req).error().message.starts_with("invalid JSON at byte"));

  const auto* g = r.by_id("gemini");
  auto groute = *g->route("POST", "/v1beta/models/gemini-2.5-pro:streamGenerateContent");
  req.body = R"({"contents":[],"generationConfig":{"maxOutputTokens":2048}})";
  auto ginfo = g->inspect(groute, req);
  REQUIRE(ginfo);
  CHECK(ginfo->model == "gemini-2.5-pro");
  CHECK(ginfo->stream);
  CHECK(ginfo->max_output_tokens == 2048);
}
