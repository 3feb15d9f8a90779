#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/config/policy.hpp"
#include "tests/support/temp_dir.hpp"

namespace {
std::string errors_of(std::string_view toml, const std::string& file = "p.toml") {
  auto r = gw::config::parse_policy(toml, file);
  REQUIRE_FALSE(r.has_value());
  return r.error().message;
}
}  // namespace

TEST_CASE("guardrails policy: absent means off; a bare section turns the built-in rules on with alert") {
  auto none = gw::config::parse_policy("", "p.toml");
  REQUIRE(none);
  CHECK_FALSE((*none)->guardrails.enabled);
  auto bare = gw::config::parse_policy("[guardrails]\n", "p.toml");
  REQUIRE(bare);
  const auto& g = (*bare)->guardrails;
  CHECK(g.enabled);
  CHECK(g.scanner->rule_count() > 150);
  CHECK(g.actions.by_rule.at("aws-access-key-id") == gw::scan::Action::alert);
  CHECK(g.response_action == gw::config::Guardrails::ResponseAction::alert);
  auto no_pii = gw::config::parse_policy("[guardrails]\nbuiltin_pii = false\n", "p.toml");
  REQUIRE(no_pii);
  CHECK((*no_pii)->guardrails.scanner->rule("email-address") == nullptr);
}

TEST_CASE("guardrails policy errors: actions, keys and values") {
  CHECK(errors_of("[guardrails]\nactions = { default = \"drop\" }\n") ==
        "p.toml:2:23: guardrails.actions.default: must be one of block, redact, alert, off; got 'drop'");
  CHECK(errors_of("[guardrails.actions]\nrules = { \"aws-acces-key-id\" = \"block\" }\n") ==
        "p.toml:2:32: guardrails.actions.rules.aws-acces-key-id: unknown rule id 'aws-acces-key-id' (no "
        "built-in, rule-file or custom rule has this id)");
  CHECK(errors_of("[guardrails.actions]\ntags = { nope = \"block\" }\n") ==
        "p.toml:2:17: guardrails.actions.tags.nope: no rule has the tag 'nope'");
  CHECK(errors_of("[guardrails.actions]\ncategories = { secrets = \"block\" }\n") ==
        "p.toml:2:26: guardrails.actions.categories.secrets: unknown category; use secret, pii or custom");
  CHECK(errors_of("[guardrails]\nenable = true\n") ==
        "p.toml:2:10: guardrails.enable: unknown key (did you mean 'enabled'?)");
  CHECK(errors_of("[guardrails.responses]\naction = \"block\"\n") ==
        "p.toml:2:10: guardrails.responses.action: must be one of alert, redact, off; got 'block'");
  CHECK(errors_of("[guardrails]\nallow_fingerprints = [\"xyz\"]\n") ==
        "p.toml:2:23: guardrails.allow_fingerprints[0]: must be a finding fingerprint: 16 (or its first 8) "
        "lowercase hex digits; got 'xyz'");
  CHECK(errors_of("[guardrails]\non_unscannable = \"allow\"\n") ==
        "p.toml:2:18: guardrails.on_unscannable: must be 'block' or 'forward'; got 'allow'");
}

TEST_CASE("guardrails policy errors: a bad custom pattern fails the load with the rule id and position") {
  std::string msg = errors_of("[[guardrails.custom_rules]]\nid = \"emp\"\nregex = 'EMP-(\\d{6}'\n");
  CHECK(msg.starts_with("p.toml:3:9: guardrails.custom_rules[0].regex: rule 'emp': "));
  CHECK(msg.find("missing )") != std::string::npos);
  CHECK(errors_of("[[guardrails.custom_rules]]\nid = \"emp\"\nregex = 'EMP-\\d{6}'\nvalidator = \"crc\"\n") ==
        "p.toml:4:13: guardrails.custom_rules[0].validator: must be one of luhn, iban, ssn, ipv4, ipv6, jwt, "
        "phone, email; got 'crc'");
  CHECK(errors_of("[[guardrails.custom_rules]]\nregex = 'x'\n") == "p.toml:1:1: guardrails.custom_rules[0].id: is required");
}

TEST_CASE("guardrails policy: custom rules and rule files (relative to the policy file) are compiled at load") {
  gw::test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "rules");
  std::ofstream(dir.path() / "rules" / "gl.toml") << "[[rules]]\nid = \"team-token\"\nregex = '''tt_[a-z0-9]{12}'''\nkeywords = [\"tt_\"]\n";
  std::string policy =
      "[guardrails]\nrule_files = [\"rules/gl.toml\"]\n[[guardrails.custom_rules]]\nid = \"employee-id\"\n"
      "regex = 'EMP-\\d{6}'\nkeywords = [\"emp-\"]\n[guardrails.actions]\nrules = { employee-id = \"redact\" }\n";
  auto p = gw::config::parse_policy(policy, (dir.path() / "policy.toml").string());
  REQUIRE_MESSAGE(p.has_value(), (p ? "" : p.error().message));
  const auto& g = (*p)->guardrails;
  CHECK(g.scanner->rule("team-token") != nullptr);
  CHECK(g.scanner->rule("employee-id")->category == gw::scan::Category::pii);
  CHECK(g.actions.by_rule.at("employee-id") == gw::scan::Action::redact);
  CHECK(g.scanner->scan("badge EMP-123456 ok").size() == 1);

  std::string missing = errors_of("[guardrails]\nrule_files = [\"nope.toml\"]\n", (dir.path() / "policy.toml").string());
  CHECK(missing == (dir.path() / "policy.toml").string() + ":2:15: guardrails.rule_files[0]: " +
                       (dir.path() / "nope.toml").string() + ": cannot open rule file");
}
