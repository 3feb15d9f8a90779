#include <doctest/doctest.h>

#include "core/config/central_key.hpp"

namespace {
using gw::config::CentralKeyRecord;
using nlohmann::json;

const char* k_policy = R"(
version = "bundle-7"
[providers.anthropic]
kind = "anthropic"
base_url = "https://api.anthropic.com"
[providers.openai]
kind = "openai"
base_url = "https://api.openai.com"
[teams.payments.budgets.monthly]
usd = 100
period = "month"
[keys.local]
providers = ["anthropic"]
models = ["claude-*"]
deny_models = ["claude-opus-*"]
[keys.alice]
secret_hash = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
providers = ["anthropic"]
models = ["*"]
[local]
key = "local"
)";

std::shared_ptr<const gw::config::Policy> policy() {
  auto p = gw::config::parse_policy(k_policy, "p.toml");
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message));
  return *p;
}

CentralKeyRecord alice() {
  CentralKeyRecord r;
  r.id = "alice";
  r.owner = "alice@example.com";
  r.team = "payments";
  r.budgets = {{"daily", 5 * gw::config::k_nano_per_usd, gw::config::Period::day, gw::config::Window::calendar}};
  r.revision = 12;
  return r;
}

}  // namespace

TEST_CASE("central key record: the wire form round-trips") {
  CentralKeyRecord r = alice();
  r.models = {"claude-sonnet-*"};
  r.deny_models = {"claude-sonnet-3*"};
  r.limits.requests_per_minute = 30;
  r.expires_at_ms = 1'900'000'000'000;
  auto back = gw::config::central_key_from_json(gw::config::to_json(r));
  REQUIRE(back);
  CHECK(gw::config::to_json(*back) == gw::config::to_json(r));
  CHECK(back->budgets.at(0).amount_nano_usd == 5 * gw::config::k_nano_per_usd);
  CHECK(back->revision == 12);
}

TEST_CASE("central key record: a malformed answer names the field") {
  auto bad = [](json j) {
    auto r = gw::config::central_key_from_json(j);
    REQUIRE_FALSE(r);
    return r.error().message;
  };
  CHECK(bad(json::array()).find("JSON object") != std::string::npos);
  CHECK(bad(json::object({{"revision", 1}})).find("\"key\"") != std::string::npos);
  CHECK(bad(json{{"key", {{"owner", "x"}}}}).find("key.id") != std::string::npos);
  CHECK(bad(json{{"key", {{"id", "a"}, {"models", "claude"}}}}).find("key.models") != std::string::npos);
  CHECK(bad(json{{"key", {{"id", "a"}, {"enabled", "yes"}}}}).find("key.enabled") != std::string::npos);
  CHECK(bad(json{{"key", {{"id", "a"}, {"budgets", {{{"name", "d"}, {"amount_nano_usd", 1}, {"period", "fortnight"}}}}}}})
            .find("period") != std::string::npos);
}

TEST_CASE("central key merge: launcher sessions run as the central key, with its owner, team and budgets") {
  auto p = policy();
  auto merged = gw::config::merge_central_key(*p, alice(), "https://gw.example.com");
  CHECK(merged->local_key == "alice");
  const auto* k = merged->find_key("alice");
  REQUIRE(k);
  CHECK(k->owner == "alice@example.com");
  CHECK(k->team == "payments");
  REQUIRE(k->budgets.size() == 1);
  CHECK(k->budgets[0].name == "daily");
  CHECK(k->refusal.empty());
  // The policy's launcher key decides providers and models when the record names none.
  CHECK(gw::config::model_allowed(k->access, "anthropic", "claude-sonnet-4-5"));
  CHECK_FALSE(gw::config::model_allowed(k->access, "anthropic", "claude-opus-4-1"));
  CHECK_FALSE(gw::config::model_allowed(k->access, "openai", "gpt-5"));
  // The bundle's team (and its budget) still governs.
  CHECK(merged->find_team("payments"));
  // The policy key of the same id gave way, and its secret no longer authenticates at the sidecar.
  CHECK(merged->find_by_secret("anything") == nullptr);
  CHECK(merged->key_by_hash.empty());
  // The original policy is untouched.
  CHECK(p->local_key == "local");
}

TEST_CASE("central key merge: the record's models and deny list restrict") {
  auto r = alice();
  r.models = {"claude-haiku-*"};
  r.deny_models = {"claude-haiku-3*"};
  auto merged = gw::config::merge_central_key(*policy(), r, "");
  const auto* k = merged->find_key("alice");
  REQUIRE(k);
  CHECK(gw::config::model_allowed(k->access, "anthropic", "claude-haiku-4-5"));
  CHECK_FALSE(gw::config::model_allowed(k->access, "anthropic", "claude-haiku-3-5"));
  CHECK_FALSE(gw::config::model_allowed(k->access, "anthropic", "claude-sonnet-4-5"));
}

TEST_CASE("central key merge: a revoked key is refused with who, when, why and what to do") {
  auto r = alice();
  r.revoked = true;
  r.revoked_by = "admin:it-ops";
  r.revoked_reason = "laptop lost";
  r.revoked_at_ms = 1'764'033'000'000;  // 2025-11-25 01:10 UTC
  auto merged = gw::config::merge_central_key(*policy(), r, "https://gw.example.com");
  const auto* k = merged->find_key("alice");
  REQUIRE(k);
  CHECK_FALSE(k->enabled);
  CHECK(k->refusal.find("'alice' (alice@example.com) was revoked by admin:it-ops at 2025-11-25 01:10 UTC") != std::string::npos);
  CHECK(k->refusal.find("laptop lost") != std::string::npos);
  CHECK(k->refusal.find("gw login --server https://gw.example.com") != std::string::npos);
}

TEST_CASE("central key merge: a disabled key is refused and says who can re-enable it") {
  auto r = alice();
  r.enabled = false;
  std::string msg = gw::config::central_key_refusal(r, "https://gw.example.com");
  CHECK(msg.find("is disabled at the central gateway") != std::string::npos);
  CHECK(msg.find("administrator") != std::string::npos);
  CHECK(gw::config::central_key_refusal(alice(), "").empty());
}

TEST_CASE("central key merge: without a launcher key in the policy every provider is open to the record's models") {
  auto p = gw::config::parse_policy(R"(
version = "v"
[providers.anthropic]
kind = "anthropic"
base_url = "https://api.anthropic.com"
[keys.ci]
secret_hash = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
providers = ["anthropic"]
models = ["*"]
)", "p.toml");
  REQUIRE(p);
  auto r = alice();
  r.team = "";
  auto merged = gw::config::merge_central_key(**p, r, "");
  const auto* k = merged->find_key("alice");
  REQUIRE(k);
  CHECK(merged->local_key == "alice");
  CHECK(gw::config::model_allowed(k->access, "anthropic", "claude-opus-4-1"));
  CHECK(merged->find_key("ci"));
}
