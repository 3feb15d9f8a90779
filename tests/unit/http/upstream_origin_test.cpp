#include <doctest/doctest.h>

#include "core/http/message.hpp"
#include "core/http/upstream.hpp"

TEST_CASE("parse_origin: scheme, host, port and path prefix") {
  auto a = gw::http::parse_origin("https://api.anthropic.com");
  REQUIRE(a);
  CHECK(a->tls);
  CHECK(a->host == "api.anthropic.com");
  CHECK(a->port == 443);
  CHECK(a->base_path == "");
  auto b = gw::http::parse_origin("http://127.0.0.1:8080/openai/v1/");
  REQUIRE(b);
  CHECK_FALSE(b->tls);
  CHECK(b->port == 8080);
  CHECK(b->base_path == "/openai/v1");
  CHECK(b->display() == "http://127.0.0.1:8080/openai/v1");
  auto c = gw::http::parse_origin("http://[::1]:9000");
  REQUIRE(c);
  CHECK(c->host == "::1");
  CHECK(c->port == 9000);
}

TEST_CASE("parse_origin: precise errors for bad URLs") {
  CHECK(gw::http::parse_origin("ftp://x").error().message.find("http:// or https://") != std::string::npos);
  CHECK(gw::http::parse_origin("http://host:99999").error().message.find("bad port") != std::string::npos);
  CHECK(gw::http::parse_origin("http:///path").error().message.find("no host") != std::string::npos);
}

TEST_CASE("Headers: case-insensitive lookup, removal and hop-by-hop classification") {
  gw::http::Headers h;
  h.add("X-Api-Key", "a");
  h.add("x-api-key", "b");
  h.add("Content-Type", "application/json");
  CHECK(h.get("X-API-KEY") == "a");
  CHECK(h.remove("x-api-key") == 2);
  CHECK_FALSE(h.has("x-api-key"));
  CHECK(gw::http::is_hop_by_hop("Transfer-Encoding"));
  CHECK(gw::http::is_hop_by_hop("connection"));
  CHECK_FALSE(gw::http::is_hop_by_hop("content-type"));
}
