#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli/launch/agents.hpp"

using namespace gw::launch;
using nlohmann::json;

TEST_CASE("Gemini overlay settings: the user's settings with gemini-api-key auth in force") {
  std::string user = R"({
    // comments are allowed in Gemini settings
    "ui": {"theme": "GitHub"},
    "security": {"auth": {"selectedType": "oauth-personal", "useExternal": true}},
    "privacy": {"usageStatisticsEnabled": true}
  })";
  auto out = gemini_overlay_settings(user, /*suppress=*/true);
  REQUIRE(out);
  json j = json::parse(*out);
  CHECK(j["ui"]["theme"] == "GitHub");
  CHECK(j["security"]["auth"]["selectedType"] == "gemini-api-key");
  CHECK_FALSE(j["security"]["auth"].contains("useExternal"));
  CHECK(j["privacy"]["usageStatisticsEnabled"] == false);

  auto plain = gemini_overlay_settings("", /*suppress=*/false);
  REQUIRE(plain);
  json p = json::parse(*plain);
  CHECK(p["security"]["auth"]["selectedType"] == "gemini-api-key");
  CHECK_FALSE(p.contains("privacy"));
}

TEST_CASE("Gemini overlay settings: an enforced other auth type or broken file is refused") {
  auto enforced = gemini_overlay_settings(R"({"security":{"auth":{"enforcedType":"vertex-ai"}}})", true);
  REQUIRE_FALSE(enforced);
  CHECK(enforced.error().code == gw::Errc::denied);
  auto broken = gemini_overlay_settings("[1,2]", true);
  REQUIRE_FALSE(broken);
  CHECK(broken.error().code == gw::Errc::config);
}

TEST_CASE("Gemini workspace settings: another auth type in the project is refused") {
  CHECK(check_gemini_workspace("", "/p/.gemini/settings.json"));
  CHECK(check_gemini_workspace(R"({"ui":{"theme":"x"}})", "/p/.gemini/settings.json"));
  CHECK(check_gemini_workspace(R"({"security":{"auth":{"selectedType":"gemini-api-key"}}})", "p"));
  auto st = check_gemini_workspace(R"({"security":{"auth":{"selectedType":"vertex-ai"}}})",
                                   "/p/.gemini/settings.json");
  REQUIRE_FALSE(st);
  CHECK(st.error().message.find("/p/.gemini/settings.json") != std::string::npos);
  CHECK_FALSE(check_gemini_workspace(R"({"security":{"auth":{"useExternal":true}}})", "p"));
}
