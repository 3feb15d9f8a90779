#include <doctest/doctest.h>

#include "core/scan/capture_skip.hpp"
#include "core/scan/regex_window.hpp"
#include "core/scan/rule_loader.hpp"
#include "core/scan/scanner.hpp"

using namespace gw::scan;

namespace {
std::bitset<256> bytes_of(std::string_view s) {
  std::bitset<256> b;
  for (unsigned char c : s) b[c] = true;
  return b;
}
std::shared_ptr<const Rule> only_rule(const std::string& toml) {
  auto set = load_gitleaks_rules(toml, "t.toml");
  REQUIRE(set.has_value());
  REQUIRE(set->rules.size() == 1);
  return set->rules[0];
}
// The same rule scanned with and without shortcuts must report the same findings.
void same_both_ways(const std::string& toml, std::string_view text, size_t expected) {
  auto set = load_gitleaks_rules(toml, "t.toml");
  REQUIRE(set.has_value());
  ScannerOptions reference;
  reference.shortcuts = false;
  reference.windows = false;
  auto fast = (*Scanner::create({*set}))->scan(text);
  auto slow = (*Scanner::create({*set}, reference))->scan(text);
  REQUIRE(fast.size() == slow.size());
  CHECK(fast.size() == expected);
  for (size_t i = 0; i < fast.size(); ++i) {
    CHECK(fast[i].offset == slow[i].offset);
    CHECK(fast[i].length == slow[i].length);
    CHECK(fast[i].match_offset == slow[i].match_offset);
    CHECK(fast[i].fingerprint == slow[i].fingerprint);
  }
}
const char* k_generic = R"(
[[rules]]
id = "g"
regex = '''(?i)[\w.-]{0,50}?(?:key|password)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|:)[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})(?:[\x60'"\s;]|$)'''
entropy = 3.0
keywords = ["key", "password"]
[[rules.allowlists]]
regexes = ['''^[a-zA-Z_.-]+$''']
)";
}  // namespace

TEST_CASE("capture groups: static facts of what each group captures") {
  auto g = group_facts(R"((?i)\b[a-z]*(?:key|token)\s*=\s*([A-Za-z0-9+/]{16,128})(x)?(y|(z)))");
  REQUIRE(g.size() == 5);
  CHECK(g[1].always);
  CHECK(g[1].min_len == 16);
  CHECK(g[1].chars == bytes_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));
  CHECK_FALSE(g[2].always);  // optional
  CHECK(g[3].always);
  CHECK_FALSE(g[4].always);  // one branch of an alternative
  CHECK(group_facts(R"((?P<v>\d{3})-(?:\d+))")[1].chars == bytes_of("0123456789"));
  CHECK(group_facts(R"([[:alpha:]](a))").empty());  // not understood: nothing known
}

TEST_CASE("capture groups: allowlist regexes recognised as whole-string byte sets") {
  CHECK(whole_string_charset("^[a-zA-Z_.-]+$") == bytes_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.-"));
  CHECK(whole_string_charset("(?i)^[a-z]*$") == bytes_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"));
  CHECK(whole_string_charset(R"(^\d+$)") == bytes_of("0123456789"));
  CHECK_FALSE(whole_string_charset("^[a-z]+").has_value());         // not anchored at the end
  CHECK_FALSE(whole_string_charset("^[a-z]+x$").has_value());
  CHECK_FALSE(whole_string_charset("^[^a-z]+$").has_value());       // accepts non-ASCII too
  CHECK_FALSE(whole_string_charset("(?m)^[a-z]+$").has_value());    // per line
  CHECK_FALSE(whole_string_charset(R"(^[a-z]+\$)").has_value());
  CHECK(whole_string_charset("^(?:a|b)+$") == bytes_of("ab"));
  CHECK_FALSE(whole_string_charset(R"(^(?:a\b)+$)").has_value());  // "aa" has no boundary inside
  CHECK_FALSE(whole_string_charset("^(?:a|bc)+$").has_value());
}

TEST_CASE("capture skip: a match whose every possible secret is allowlisted is dropped early") {
  auto rule = only_rule(k_generic);
  auto plan = plan_capture_skip(*rule, {});
  REQUIRE(plan.usable());
  CHECK(plan.min_len == 10);
  CHECK(plan.rejects("password = process.env.DB_PASSWORD;"));
  CHECK_FALSE(plan.rejects("password = process.env.DB_PASSWORD_2;"));  // a digit: maybe a secret
  CHECK_FALSE(plan.rejects("key=short"));                              // no run long enough: unknown
  // Without an allowlist, with an AND allowlist that also needs a path, or a secret group that
  // may be absent, nothing can be decided early.
  auto bare = only_rule(R"(
[[rules]]
id = "g"
regex = '''key=([a-z]{10,})'''
)");
  CHECK_FALSE(plan_capture_skip(*bare, {}).usable());
  auto and_path = only_rule(R"(
[[rules]]
id = "g"
regex = '''key=([a-z]{10,})'''
[[rules.allowlists]]
condition = "AND"
regexes = ['''^[a-z]+$''']
paths = ['''\.md$''']
)");
  CHECK_FALSE(plan_capture_skip(*and_path, {}).usable());
  auto optional_group = only_rule(R"(
[[rules]]
id = "g"
regex = '''key=([a-z]{10,})?x'''
[[rules.allowlists]]
regexes = ['''^[a-z]+$''']
)");
  CHECK_FALSE(plan_capture_skip(*optional_group, {}).usable());
}

TEST_CASE("capture skip: findings are the same with and without the shortcut") {
  same_both_ways(k_generic, "const password = process.env.DB_PASSWORD;\n", 0);
  same_both_ways(k_generic, "password = Zq8xW2pLk9RtY4vB7nM3\n", 1);
  same_both_ways(k_generic,
                 "a password = process.env.DB_PASSWORD; key: 'Zq8xW2pLk9RtY4vB7nM3' x\n"
                 "password=abcdefghijklmnop.qrst key = hello-world.example\n"
                 "api_key = \"Ab3Def6Ghi9Jkl2Mno5Pqr8\" password: s3cr3t-V4lue-W1th-D1g1ts\n",
                 3);
}
