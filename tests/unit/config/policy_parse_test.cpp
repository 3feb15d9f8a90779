#include <doctest/doctest.h>

#include "core/config/policy.hpp"

using gw::config::parse_policy;
using gw::config::parse_policy_json;

namespace {
const char* k_team_policy = R"(version = "2026-11-24"

[local]
key = "alice"

[org]
budgets.monthly = { usd = 2000, period = "month" }

[teams.platform]
budgets.monthly = { usd = 500.50, period = "month" }
limits = { requests_per_minute = 600 }

[keys.alice]
secret_hash = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
owner = "alice@example.com"
team = "platform"
providers = ["anthropic", "openai"]
models = ["claude-*", "gpt-5-codex"]
deny_models = ["claude-opus-*"]
budgets.daily = { usd = 5, period = "day" }
budgets.weekly = { usd = 20, period = "week", window = "rolling" }
limits = { requests_per_minute = 60, tokens_per_minute = 400000, concurrent = 4 }
expires = 2027-01-01T00:00:00Z

[keys.bob]
team = "platform"
providers = ["gemini"]
models = ["gemini-2.5-*"]
enabled = false
)";

std::string errors_of(std::string_view toml) {
  auto r = parse_policy(toml, "p.toml");
  REQUIRE_FALSE(r.has_value());
  return r.error().message;
}
}  // namespace

TEST_CASE("policy: a team policy parses into keys, teams, budgets and limits") {
  auto r = parse_policy(k_team_policy, "p.toml");
  REQUIRE_MESSAGE(r.has_value(), r.error().message);
  const auto& p = **r;
  CHECK(p.version == "2026-11-24");
  CHECK(p.local_key == "alice");
  CHECK(p.enforce_auth);
  REQUIRE(p.keys.size() == 2);
  const auto& alice = p.keys.at("alice");
  CHECK(alice.team == "platform");
  CHECK(alice.budgets.size() == 2);
  CHECK(alice.budgets[0].name == "daily");
  CHECK(alice.budgets[0].amount_nano_usd == 5'000'000'000);
  CHECK(alice.budgets[1].window == gw::config::Window::rolling);
  CHECK(alice.limits.concurrent == 4);
  CHECK(alice.expires_at_ms == 1798761600000);
  CHECK(p.teams.at("platform").budgets[0].amount_nano_usd == 500'500'000'000);
  CHECK(p.org_budgets.size() == 1);
  CHECK_FALSE(p.keys.at("bob").enabled);
  CHECK(p.find_by_secret("hello") == &alice);
  CHECK(p.find_by_secret("hellO") == nullptr);
  CHECK(p.providers.at("openai").base_url == "https://api.openai.com");
}

TEST_CASE("policy: model access is deny by default and the deny list wins") {
  auto p = *parse_policy(k_team_policy, "p.toml");
  const auto& a = p->keys.at("alice").access;
  CHECK(gw::config::model_allowed(a, "anthropic", "claude-sonnet-4-5"));
  CHECK_FALSE(gw::config::model_allowed(a, "anthropic", "claude-opus-4-5"));
  CHECK(gw::config::model_allowed(a, "openai", "gpt-5-codex"));
  CHECK_FALSE(gw::config::model_allowed(a, "openai", "gpt-5"));
  CHECK_FALSE(gw::config::model_allowed(a, "gemini", "claude-sonnet-4-5"));
}

TEST_CASE("policy: the JSON form gives the same policy") {
  auto r = parse_policy_json(R"({"local":{"key":"k"},"keys":{"k":{"providers":["anthropic"],
    "models":["claude-*"],"budgets":{"daily":{"usd":1.5,"period":"day"}}}}})", "b.json");
  REQUIRE_MESSAGE(r.has_value(), r.error().message);
  CHECK((*r)->keys.at("k").budgets[0].amount_nano_usd == 1'500'000'000);
}

TEST_CASE("policy: the default policy binds launcher sessions to key 'local'") {
  auto p = gw::config::default_policy();
  CHECK(p->enforce_auth);
  CHECK(p->local_key == "local");
  CHECK(p->providers.at("anthropic").base_url == "https://api.anthropic.com");
  CHECK(p->providers.at("gemini").base_url == "https://generativelanguage.googleapis.com");
  CHECK(p->providers.at("openai").credential.name == "OPENAI_API_KEY");
  CHECK(gw::config::model_allowed(p->keys.at("local").access, "gemini", "gemini-2.5-pro"));
  CHECK(p->key_by_hash.empty());
}

TEST_CASE("policy errors: bad types name the field, its position and the type") {
  CHECK(errors_of("[keys.alice]\nenabled = \"yes\"\n") ==
        "p.toml:2:11: keys.alice.enabled: must be a boolean, not a string");
  CHECK(errors_of("enforce_auth = 1\n") == "p.toml:1:16: enforce_auth: must be a boolean, not an integer");
  CHECK(errors_of("[keys.alice]\nlimits = { concurrent = 1.5 }\n") ==
        "p.toml:2:25: keys.alice.limits.concurrent: must be an integer, not a float");
}

TEST_CASE("policy errors: negative amounts are refused") {
  CHECK(errors_of("[keys.alice]\nbudgets.daily = { usd = -5, period = \"day\" }\n") ==
        "p.toml:2:25: keys.alice.budgets.daily.usd: must be >= 0, got -5");
  CHECK(errors_of("[keys.alice]\nlimits.requests_per_minute = -1\n") ==
        "p.toml:2:30: keys.alice.limits.requests_per_minute: must be >= 0, got -1");
}

TEST_CASE("policy errors: unknown keys are errors, with a hint") {
  CHECK(errors_of("[keys.alice]\nbudget.daily = { usd = 5, period = \"day\" }\n") ==
        "p.toml:2:1: keys.alice.budget: unknown key (did you mean 'budgets'?)");
  CHECK(errors_of("colour = 1\n") == "p.toml:1:10: colour: unknown key");
}

TEST_CASE("policy errors: unknown providers and models in allow lists") {
  CHECK(errors_of("[keys.alice]\nproviders = [\"anthropic\", \"opnai\"]\n") ==
        "p.toml:2:27: keys.alice.providers[1]: unknown provider 'opnai' (defined: anthropic, gemini, openai)");
  CHECK(errors_of("[keys.alice]\nproviders = [\"anthropic\"]\nmodels = [\"claude-sonet-4-5\"]\n") ==
        "p.toml:3:11: keys.alice.models[0]: unknown model 'claude-sonet-4-5' (no price is known for "
        "it; add it under [prices] or use a glob such as 'claude-sonet-4-5*')");
}

TEST_CASE("policy errors: duplicate key ids") {
  CHECK(errors_of("[keys.alice]\nowner = \"a\"\n[keys.alice]\nowner = \"b\"\n") ==
        "p.toml:3:1: Error while parsing table header: cannot redefine existing table 'keys.alice'");
  CHECK(errors_of("[keys.alice]\n[keys.Alice]\n") ==
        "p.toml:1:1: keys.alice: duplicate key id: 'alice' and 'Alice' differ only in case");
}

TEST_CASE("policy errors: overlapping periods") {
  CHECK(errors_of("[keys.alice.budgets]\na = { usd = 5, period = \"day\" }\n"
                  "b = { usd = 7, period = \"day\" }\n") ==
        "p.toml:3:5: keys.alice.budgets.b: covers the same period as budget 'a' (calendar day); "
        "use one budget per period");
}

TEST_CASE("policy errors: invalid globs") {
  CHECK(errors_of("[keys.alice]\nproviders = [\"anthropic\"]\nmodels = [\"claude-[opus]\"]\n") ==
        "p.toml:3:11: keys.alice.models[0]: invalid glob 'claude-[opus]': character '[' is not "
        "allowed (only letters, digits, - _ . : @ / and the wildcards * ?)");
  CHECK(errors_of("[keys.alice]\nproviders = [\"anthropic\"]\ndeny_models = [\"\"]\n") ==
        "p.toml:3:16: keys.alice.deny_models[0]: must not be empty");
}

#include "core/config/policy_summary.hpp"

TEST_CASE("policy summary: what `gw policy check` prints after OK") {
  auto p = *parse_policy(k_team_policy, "p.toml");
  std::string s = gw::config::summarize_policy(*p);
  CHECK(s.find("version: 2026-11-24\n") == 0);
  CHECK(s.find("launcher sessions: key alice\n") != std::string::npos);
  CHECK(s.find("team platform: monthly $500.50/month; 600 req/min\n") != std::string::npos);
  CHECK(s.find("keys: 2 (1 enabled)\n") != std::string::npos);
  CHECK(s.find("  alice [platform]: daily $5.00/day, weekly $20.00/week rolling; 60 req/min, "
               "400000 tok/min, 4 concurrent\n") != std::string::npos);
}

TEST_CASE("policy: key secrets are stored only as sha256 hashes") {
  std::string secret = gw::config::new_key_secret();
  CHECK(secret.starts_with("gwk_"));
  CHECK(secret.size() == 4 + 43);
  CHECK(gw::config::hash_key_secret("hello") ==
        "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  std::string err = errors_of("[keys.alice]\nsecret_hash = \"gwk_abc\"\n");
  CHECK(err == "p.toml:2:15: keys.alice.secret_hash: must be \"sha256:\" followed by 64 lowercase hex "
               "digits (make one with `gw policy hash-key`); this looks like a clear-text secret: "
               "store only its hash");
}
