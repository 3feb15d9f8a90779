#include <doctest/doctest.h>

#include <filesystem>

#include "core/config/policy.hpp"

TEST_CASE("policy examples: every shipped example policy passes `gw policy check`") {
  namespace fs = std::filesystem;
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(GW_SOURCE_DIR) / "examples" / "policy")) {
    if (entry.path().extension() != ".toml") continue;
    auto r = gw::config::load_policy_file(entry.path());
    std::string why = entry.path().string() + "\n" + (r ? std::string() : r.error().message);
    CHECK_MESSAGE(r.has_value(), why);
    ++checked;
  }
  CHECK(checked >= 2);
}

TEST_CASE("policy examples: the team example prices its own model and keeps carol disabled") {
  auto r = gw::config::load_policy_file(std::filesystem::path(GW_SOURCE_DIR) / "examples/policy/team.toml");
  REQUIRE(r.has_value());
  const auto& p = **r;
  CHECK(p.prices.find("acme-coder-1")->output == 2'000'000);
  CHECK_FALSE(p.keys.at("carol").enabled);
  CHECK(p.providers.at("anthropic").credential.kind == gw::config::CredentialSource::Kind::keychain);
  CHECK(p.providers.at("anthropic").base_url == "https://api.anthropic.com");
  CHECK(p.find_by_secret("abc") == &p.keys.at("ci"));
}
