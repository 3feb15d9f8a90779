#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/scan/rule_loader.hpp"
#include "core/scan/scanner.hpp"

using namespace gw::scan;

namespace {
std::shared_ptr<const Scanner> gitleaks(const std::string& toml) {
  auto set = load_gitleaks_rules(toml, "test.toml");
  REQUIRE_MESSAGE(set.has_value(), (set ? "" : set.error().message));
  for (const auto& p : set->problems) MESSAGE(p);
  auto s = Scanner::create({*set});
  REQUIRE(s.has_value());
  return *s;
}
std::vector<std::string> secrets_of(const Scanner& s, std::string_view text, std::string_view path = {}) {
  std::vector<std::string> out;
  for (const auto& f : s.scan(text, ScanContext{path})) out.emplace_back(text.substr(f.offset, f.length));
  return out;
}
using V = std::vector<std::string>;
}  // namespace

TEST_CASE("gitleaks semantics: secretGroup picks the group; default is the first non-empty group") {
  auto s = gitleaks(R"(
[[rules]]
id = "grp"
regex = '''(key|tok)=(\w+)'''
secretGroup = 2
[[rules]]
id = "first"
regex = '''(?:(a)|(b))(\d{3})'''
[[rules]]
id = "whole"
regex = '''zz\d{4}'''
)");
  CHECK(secrets_of(*s, "key=abc123") == V{"abc123"});
  CHECK(secrets_of(*s, "b123") == V{"b"});
  CHECK(secrets_of(*s, "zz1234") == V{"zz1234"});
}

TEST_CASE("gitleaks semantics: the secret's Shannon entropy must exceed the threshold") {
  auto s = gitleaks(R"(
[[rules]]
id = "ent"
regex = '''secret=(\w{16})'''
entropy = 3.5
)");
  CHECK(secrets_of(*s, "secret=aaaaaaaaaaaaaaaa").empty());
  CHECK(secrets_of(*s, "secret=aB3dE5gH7jK9mN1p") == V{"aB3dE5gH7jK9mN1p"});
  CHECK(shannon_entropy("aaaa") == doctest::Approx(0.0));
  CHECK(shannon_entropy("abcd") == doctest::Approx(2.0));
}

TEST_CASE("gitleaks semantics: keywords prefilter case-insensitively") {
  auto s = gitleaks(R"(
[[rules]]
id = "kw"
regex = '''\d{6}'''
keywords = ["PIN"]
)");
  CHECK(secrets_of(*s, "code 123456").empty());
  CHECK(secrets_of(*s, "my pin is 123456") == V{"123456"});
  CHECK(secrets_of(*s, "PIN: 654321") == V{"654321"});
}

TEST_CASE("gitleaks semantics: allowlist regexTarget secret, match and line") {
  auto s = gitleaks(R"(
[[rules]]
id = "t"
regex = '''tok_(\w{8})'''
[[rules.allowlists]]
regexes = ['''^test''']
[[rules.allowlists]]
regexTarget = "match"
regexes = ['''^tok_ZZ''']
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''# fake''']
)");
  CHECK(secrets_of(*s, "tok_testabcd").empty());        // secret target
  CHECK(secrets_of(*s, "tok_ZZabcdef").empty());        // match target
  CHECK(secrets_of(*s, "x = tok_abcdefgh # fake").empty());  // line target
  CHECK(secrets_of(*s, "x = tok_abcdefgh\n# fake") == V{"abcdefgh"});  // another line
  CHECK(secrets_of(*s, "tok_abcdefgh") == V{"abcdefgh"});
}

TEST_CASE("gitleaks semantics: stopwords and AND / OR conditions") {
  auto s = gitleaks(R"(
[[rules]]
id = "c"
regex = '''k=(\w{10})'''
[[rules.allowlists]]
stopwords = ["Dummy"]
[[rules.allowlists]]
condition = "AND"
regexes = ['''^abc''']
paths = ['''\.md$''']
)");
  CHECK(secrets_of(*s, "k=xxdummyxxx").empty());               // stopword, case-insensitive
  CHECK(secrets_of(*s, "k=abc1234567", "src/a.py") == V{"abc1234567"});  // AND: path fails
  CHECK(secrets_of(*s, "k=abc1234567", "README.md").empty());   // AND: both match
  CHECK(secrets_of(*s, "k=zzz1234567", "README.md") == V{"zzz1234567"});
}

TEST_CASE("gitleaks semantics: global [allowlist], [[allowlists]] with targetRules, and path rules") {
  auto s = gitleaks(R"(
[allowlist]
paths = ['''vendor/''']
regexes = ['''EXAMPLE''']
[[allowlists]]
targetRules = ["b"]
stopwords = ["skipme"]
[[rules]]
id = "a"
regex = '''A_(\w{8})'''
[[rules]]
id = "b"
regex = '''B_(\w{8})'''
[[rules]]
id = "pem-file"
path = '''\.pem$'''
[[rules]]
id = "php-only"
regex = '''P_(\w{8})'''
path = '''\.php$'''
)");
  CHECK(secrets_of(*s, "A_abcdefgh", "vendor/x.go").empty());
  CHECK(secrets_of(*s, "A_xEXAMPLE").empty());
  CHECK(secrets_of(*s, "A_skipmeab") == V{"skipmeab"});  // targetRules: only rule b
  CHECK(secrets_of(*s, "B_skipmeab").empty());
  auto pem = s->scan("whatever", ScanContext{"keys/server.pem"});
  REQUIRE(pem.size() == 1);
  CHECK(pem[0].rule_id == "pem-file");
  CHECK(s->scan("whatever").empty());  // path-only rules need a file
  CHECK(secrets_of(*s, "P_abcdefgh", "a.php") == V{"abcdefgh"});
  CHECK(secrets_of(*s, "P_abcdefgh", "a.py").empty());
  CHECK(secrets_of(*s, "P_abcdefgh").empty());
}

TEST_CASE("gitleaks semantics: gitleaks:allow on the line suppresses the finding") {
  auto s = gitleaks(R"(
[[rules]]
id = "x"
regex = '''X_\w{8}'''
)");
  CHECK(secrets_of(*s, "a = X_abcdefgh // gitleaks:allow").empty());
  CHECK(secrets_of(*s, "gitleaks:allow\na = X_abcdefgh") == V{"X_abcdefgh"});
}

TEST_CASE("gitleaks loader: unusable rules are skipped with the rule id and reason") {
  auto set = load_gitleaks_rules(R"(
[[rules]]
id = "bad-regex"
regex = '''(unclosed'''
[[rules]]
id = "lookahead"
regex = '''foo(?=bar)'''
[[rules]]
id = "bad-group"
regex = '''(a)'''
secretGroup = 3
[[rules]]
id = "good"
regex = '''g\d+'''
)", "t.toml");
  REQUIRE(set.has_value());
  REQUIRE(set->rules.size() == 1);
  CHECK(set->rules[0]->id == "good");
  REQUIRE(set->problems.size() == 3);
  CHECK(set->problems[0].find("t.toml:") == 0);
  CHECK(set->problems[0].find("rule 'bad-regex': regex: invalid regex: missing )") != std::string::npos);
  CHECK(set->problems[1].find("rule 'lookahead'") != std::string::npos);
  CHECK(set->problems[2].find("secret group 3 but the regex has only 1 groups") != std::string::npos);
  auto strict = load_gitleaks_rules("[[rules]]\nid='x'\nregex='''(x'''\n", "t.toml", LoadOptions{true});
  CHECK_FALSE(strict.has_value());
  auto syntax = load_rules("[[rules]\nid=1", "s.toml");
  REQUIRE_FALSE(syntax.has_value());
  CHECK(syntax.error().message.find("s.toml:1:") == 0);
}

TEST_CASE("gitleaks loader: Go named groups (?<name>) are translated for RE2") {
  CHECK(translate_go_regex(R"((?<tok>\w+)[(?<x])") == R"((?P<tok>\w+)[(?<x])");
  CHECK(compile_rule_regex(R"(key=(?<v>\w+))", true).has_value());
}

TEST_CASE("gitleaks compatibility: the real gitleaks.toml loads and its rules match typical secrets") {
  std::filesystem::path p = std::filesystem::path(GW_SOURCE_DIR) / ".." / "shared" / "compat" / "gitleaks.toml";
  if (!std::filesystem::exists(p)) {
    MESSAGE("skipped: " << p.string() << " is absent");
    return;
  }
  auto set = load_rules_file(p);
  REQUIRE_MESSAGE(set.has_value(), (set ? "" : set.error().message));
  for (const auto& problem : set->problems) MESSAGE("gitleaks.toml: " << problem);
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  size_t declared = 0;
  for (size_t pos = 0; (pos = ss.str().find("[[rules]]", pos)) != std::string::npos; ++pos) ++declared;
  // Every rule loads, or is listed with a reason.
  CHECK(set->rules.size() + set->problems.size() >= declared);
  CHECK(set->rules.size() >= declared * 95 / 100);
  auto s = Scanner::create({*set});
  REQUIRE(s.has_value());
  struct Sample {
    const char* rule;
    const char* text;
  } samples[] = {
      {"aws-access-token", "aws_key = AKIAZ7VRSQ5BXMNKW4HP"},
      {"github-pat", "token: ghp_Zt8q1Lm3Rx0Vb6Nc2Kd9Wf4Yh7Jp5Sa1Gu3E"},
      {"gitlab-pat", "glpat-Xq3Lm9Rv2Tb7Nc5Kd1Wf"},
      {"slack-bot-token", "xoxb-123456789012-1234567890123-Zt8q1Lm3Rx0Vb6Nc2Kd9Wf4Y"},
      {"stripe-access-token", "sk_live_Zt8q1Lm3Rx0Vb6Nc2Kd9Wf4Yh7"},
      {"private-key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAz8q1Lm3Rx0Vb6Nc2Kd9Wf4Yh7Jp5Sa1Gu3EZt8q1Lm3Rx0Vb6Nc2Kd9\n-----END RSA PRIVATE KEY-----"},
      {"anthropic-api-key", "sk-ant-api03-Zt8q1Lm3Rx0Vb6Nc2Kd9Wf4Yh7Jp5Sa1Gu3EZt8q1Lm3Rx0Vb6Nc2Kd9Wf4Yh7Jp5Sa1Gu3EZt8q1Lm3Rx0Vb6Nc2Kd9WAA"},
      {"gcp-api-key", "AIzaSyZt8q1Lm3Rx0Vb6Nc2Kd9Wf4Yh7Jp5Sa1G \n"},
      {"npm-access-token", "npm_Zt8q1Lm3Rx0Vb6Nc2Kd9Wf4Yh7Jp5Sa1Gu3X"},
  };
  for (const auto& sm : samples) {
    CAPTURE(std::string(sm.rule));
    if (!(*s)->rule(sm.rule)) {
      MESSAGE("rule " << sm.rule << " not in this gitleaks.toml");
      continue;
    }
    bool found = false;
    for (const auto& f : (*s)->scan(sm.text)) found |= f.rule_id == sm.rule;
    CHECK(found);
  }
}
