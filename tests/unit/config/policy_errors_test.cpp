#include <doctest/doctest.h>

#include "core/config/policy.hpp"

namespace {
std::string errors_of(std::string_view toml) {
  auto r = gw::config::parse_policy(toml, "p.toml");
  REQUIRE_FALSE(r.has_value());
  return r.error().message;
}
}  // namespace

TEST_CASE("policy errors: references to teams and keys that do not exist") {
  CHECK(errors_of("[teams.platform]\n[keys.alice]\nteam = \"plat\"\n") ==
        "p.toml:3:8: keys.alice.team: unknown team 'plat' (defined: platform)");
  CHECK(errors_of("[teams.platform]\nmembers = [\"zed\"]\n") ==
        "p.toml:2:12: teams.platform.members[0]: unknown key 'zed'");
  CHECK(errors_of("[local]\nkey = \"nobody\"\n") ==
        "p.toml:2:7: local.key: unknown key 'nobody' (defined: none)");
}

TEST_CASE("policy errors: a key listed by two teams") {
  CHECK(errors_of("[teams.a]\nmembers = [\"k\"]\n[teams.b]\nmembers = [\"k\"]\n[keys.k]\n") ==
        "p.toml:4:12: teams.b.members[0]: key 'k' belongs to team 'a'");
}

TEST_CASE("policy errors: auth mode and the anonymous policy go together") {
  CHECK(errors_of("enforce_auth = false\n") ==
        "p.toml:1:16: enforce_auth: is false but no [anonymous] policy is defined; define one to "
        "say what requests without a key may do");
  CHECK(errors_of("[anonymous]\nproviders = [\"anthropic\"]\n") ==
        "p.toml:1:1: anonymous: has no effect while enforce_auth = true; remove it or set "
        "enforce_auth = false");
  CHECK(errors_of("enforce_auth = false\n[anonymous]\nsecret_hash = \"x\"\n") ==
        "p.toml:3:15: anonymous.secret_hash: unknown key");
}

TEST_CASE("policy errors: bad enum values, providers and credentials") {
  CHECK(errors_of("[org]\nbudgets.m = { usd = 1, period = \"fortnight\" }\n") ==
        "p.toml:2:33: org.budgets.m.period: must be one of hour, day, week, month, quarter, year; "
        "got 'fortnight'");
  CHECK(errors_of("[org]\nbudgets.m = { usd = 1, period = \"day\", window = \"sliding\" }\n") ==
        "p.toml:2:49: org.budgets.m.window: must be 'calendar' or 'rolling'; got 'sliding'");
  CHECK(errors_of("[providers.azure]\nkind = \"openai\"\n") ==
        "p.toml:1:1: providers.azure.base_url: is required");
  CHECK(errors_of("[providers.openai]\nbase_url = \"ftp://x\"\n") ==
        "p.toml:2:12: providers.openai.base_url: must be an http:// or https:// URL; got 'ftp://x'");
  CHECK(errors_of("[providers.openai]\ncredential = { env = \"A\", file = \"b\" }\n") ==
        "p.toml:2:14: providers.openai.credential: must be \"none\" or a table with exactly one of "
        "env, file, keychain");
  CHECK(errors_of("[keys.k]\nexpires = \"soon\"\n") ==
        "p.toml:2:11: keys.k.expires: must be an RFC 3339 date-time such as 2027-01-01T00:00:00Z");
}

TEST_CASE("policy errors: every problem is reported, one per line") {
  CHECK(errors_of("[keys.a]\nenabled = 1\nowner = 2\n") ==
        "p.toml:2:11: keys.a.enabled: must be a boolean, not an integer\n"
        "p.toml:3:9: keys.a.owner: must be a string, not an integer");
}

TEST_CASE("policy errors: price overrides need input and output and non-negative rates") {
  CHECK(errors_of("[prices.my-model]\ninput = 1\n") == "p.toml:1:1: prices.my-model.output: is required");
  CHECK(errors_of("[prices.\"gemini-9.9-pro\"]\ninput = 1\noutput = \"a\"\n") ==
        "p.toml:3:10: prices.\"gemini-9.9-pro\".output: must be a number (USD), not a string");
}

TEST_CASE("policy errors: the JSON form names the file and the path") {
  auto r = gw::config::parse_policy_json(R"({"keys":{"a":{"enabled":"yes"}}})", "bundle.json");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "bundle.json: keys.a.enabled: must be a boolean, not a string");
  auto bad = gw::config::parse_policy_json("{", "bundle.json");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message == "bundle.json: invalid JSON");
}

TEST_CASE("prices: exact, then longest prefix, then the most specific glob") {
  auto t = gw::config::PriceTable::defaults();
  CHECK(t.find("claude-sonnet-4-5")->pattern == "claude-sonnet-4-5");
  CHECK(t.find("claude-sonnet-4-5-20250929")->pattern == "claude-sonnet-4-5");
  CHECK(t.find("claude-opus-4-8")->pattern == "claude-opus-*");
  CHECK(t.find("gemini-3.5-flash-lite")->pattern == "gemini-*-flash-lite*");
  CHECK(t.find("gemini-3.8-flash")->pattern == "gemini-*-flash*");
  CHECK(t.find("models/gemini-2.5-pro")->pattern == "gemini-2.5-pro");
  CHECK(t.find("gpt-5.1-codex-mini")->pattern == "gpt-5.1-codex-mini");
  CHECK(t.find("llama-3") == nullptr);
}

TEST_CASE("prices: costs are integer nano-USD, rounded up") {
  auto t = gw::config::PriceTable::defaults();
  gw::config::Usage u;
  u.input_tokens = 1'000'000;
  u.output_tokens = 1'000'000;
  u.cache_read_tokens = 1'000'000;
  u.cache_write_5m_tokens = 1'000'000;
  u.cache_write_1h_tokens = 1'000'000;
  // $3 + $15 + $0.30 + $3.75 + $6 for claude-sonnet-4-5.
  CHECK(gw::config::cost_nano_usd(*t.find("claude-sonnet-4-5"), u) == 28'050'000'000);
  gw::config::Usage one;
  one.cache_read_tokens = 1;  // $0.30/M -> 300 nano-USD per token
  CHECK(gw::config::cost_nano_usd(*t.find("claude-sonnet-4-5"), one) == 300);
  gw::config::ModelPrice tiny;
  tiny.input = gw::config::usd_per_mtok(0.0001);  // 0.1 nano-USD per token
  gw::config::Usage in;
  in.input_tokens = 1;
  CHECK(gw::config::cost_nano_usd(tiny, in) == 1);  // rounded up, never free
  CHECK(gw::config::format_usd(4'980'000'000) == "$4.98");
  CHECK(gw::config::format_usd(1'500'000) == "$0.0015");
}
