#include <doctest/doctest.h>

#include <filesystem>
#include <random>

#include "core/scan/regex_window.hpp"
#include "core/scan/rule_loader.hpp"
#include "core/scan/scanner.hpp"

using namespace gw::scan;

namespace {
using V = std::vector<std::string>;

// windows = false is the reference engine: whole texts, no shortcut.
std::shared_ptr<const Scanner> make(const RuleSet& set, bool windows) {
  ScannerOptions o;
  o.windows = windows;
  o.shortcuts = windows;
  auto s = Scanner::create({set}, o);
  REQUIRE(s.has_value());
  return *s;
}

// Texts built from the rules' own examples and negatives, cut and glued at random places among
// source-like noise and newlines, so that matches sit at window edges, across lines and next to
// each other.
std::vector<std::string> corpus(const RuleSet& set, const RuleSet& samples, unsigned seed, size_t count) {
  std::mt19937 rng(seed);
  V pieces = {"token = ", "password: ", "api_key=", "\n", " ", "\"", "'", "x", "_", "-", ".", "AKIA",
              "sk-", "secret", "https://user:", "@", "  return 0;\n}\n", "ghp_", "\xE2\x84\xAA", "é",
              "process.env.DB_PASSWORD", "my.config-value_name_x", "=", ": \"", "Zq8xW2pLk9RtY4vB"};
  (void)set;
  for (const auto& r : samples.rules) {
    for (const auto& e : r->examples) pieces.push_back(e);
    for (const auto& n : r->negatives) pieces.push_back(n);
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string t;
    size_t parts = 1 + rng() % 12;
    for (size_t k = 0; k < parts; ++k) {
      const std::string& p = pieces[rng() % pieces.size()];
      size_t a = rng() % 3 == 0 ? rng() % (p.size() + 1) : 0;
      t += p.substr(a);
    }
    out.push_back(std::move(t));
  }
  return out;
}

void same_findings(const RuleSet& set, unsigned seed, size_t count, size_t min_findings) {
  auto samples = builtin_rules();  // their examples and negatives are realistic secrets
  REQUIRE(samples.has_value());
  auto windowed = make(set, true), whole = make(set, false);
  size_t findings = 0;
  for (const auto& text : corpus(set, *samples, seed, count)) {
    auto a = windowed->scan(text), b = whole->scan(text);
    findings += b.size();
    REQUIRE_MESSAGE(a.size() == b.size(), text);
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK_MESSAGE(a[i].rule_id == b[i].rule_id, text);
      CHECK(a[i].offset == b[i].offset);
      CHECK(a[i].length == b[i].length);
      CHECK(a[i].match_offset == b[i].match_offset);
      CHECK(a[i].match_length == b[i].match_length);
    }
  }
  CHECK(findings >= min_findings);  // the corpus does exercise the rules
}
}  // namespace

TEST_CASE("regex windows: required literals, length bound and line bound of a pattern") {
  auto p = plan_windows(R"(\b(AKIA|ASIA)[A-Z0-9]{16}\b)");
  CHECK(p.atoms == V{"akia", "asia"});
  CHECK(p.max_len == 20);
  CHECK(p.line_bounded);
  CHECK(p.usable());

  p = plan_windows(R"((?i)api[_.-]?key\s*=\s*(\w+))");
  CHECK(p.atoms == V{"api-key", "api.key", "api_key", "apikey"});
  CHECK(p.max_len == WindowPlan::k_unbounded);
  CHECK_FALSE(p.line_bounded);  // \s* crosses lines
  CHECK_FALSE(p.usable());

  // A '\n' only as the last byte keeps the match on its line.
  p = plan_windows(R"(token=[a-z]+(?:\s|$))");
  CHECK(p.line_bounded);
  CHECK(p.usable());

  // (?s) set in one branch still applies to the next one, as in RE2.
  p = plan_windows(R"(((?s)abc|de.f))");
  CHECK_FALSE(p.line_bounded);

  // Alternatives without a common literal, optional literals, unknown syntax: no windows.
  CHECK_FALSE(plan_windows(R"([0-9]{16})").usable());
  CHECK_FALSE(plan_windows(R"((?:abc)?[0-9]{4})").usable());
  CHECK_FALSE(plan_windows(R"(abcd[[:alpha:]]{3})").usable());
  CHECK_FALSE(plan_windows(R"(\Qabcd\E)").usable());
  CHECK_FALSE(plan_windows("").usable());
}

TEST_CASE("regex windows: the built-in rules find exactly what whole-text scans find") {
  auto set = builtin_rules();
  REQUIRE(set.has_value());
  same_findings(*set, 1, 3000, 1000);
}

TEST_CASE("regex windows: the real gitleaks.toml finds exactly what whole-text scans find") {
  std::filesystem::path p = std::filesystem::path(GW_SOURCE_DIR) / ".." / "shared" / "compat" / "gitleaks.toml";
  if (!std::filesystem::exists(p)) {
    MESSAGE("skipped: " << p.string() << " is absent");
    return;
  }
  auto set = load_rules_file(p);
  REQUIRE(set.has_value());
  same_findings(*set, 2, 3000, 300);
}

TEST_CASE("regex windows: text with a case-folding trap is scanned whole") {
  auto set = load_gitleaks_rules(R"(
[[rules]]
id = "k"
regex = '''(?i)key_[a-z0-9]{8}\b'''
keywords = ["ey_"]
)", "t.toml");
  REQUIRE(set.has_value());
  auto s = make(*set, true);
  // U+212A KELVIN SIGN folds to 'k' under (?i): the atom "key_" is absent, the match is not.
  auto f = s->scan("x \xE2\x84\xAA" "ey_abcd1234 y");
  REQUIRE(f.size() == 1);
  CHECK(f[0].rule_id == "k");
}

TEST_CASE("shortcuts: PII rules run after one RE2::Set pass find what each rule finds alone") {
  auto set = builtin_rules();
  REQUIRE(set.has_value());
  auto fast = make(*set, true), reference = make(*set, false);
  for (std::string_view text :
       {"mail jane.doe@acme-corp.com or call +44 20 7946 0958, card 4111 1111 1111 1111",
        "IBAN DE89 3704 0044 0532 0130 00, SSN 123-45-6789, hosts 10.0.0.1 and 2001:db8::1",
        "int main() { return 0; }", ""}) {
    auto a = fast->scan(text), b = reference->scan(text);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].rule_id == b[i].rule_id);
      CHECK(a[i].offset == b[i].offset);
      CHECK(a[i].length == b[i].length);
    }
  }
  CHECK(fast->scan("mail jane.doe@acme-corp.com today").size() == 1);  // the texts do reach the PII rules
}
