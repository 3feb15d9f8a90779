#pragma once
// The rule model shared by both rule formats (gw TOML and gitleaks TOML). Rules are built and
// their regexes compiled once, when a rule file or policy loads; a Scanner owns them immutably.
#include <re2/re2.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace gw::scan {

enum class Category { secret, pii, custom };
std::string_view category_name(Category c);
// "secret" | "pii" | "custom"; false when the name is unknown.
bool parse_category(std::string_view name, Category& out);

// Extra checks a candidate secret must pass (PII and a few credential formats).
enum class Validator { none, luhn, iban, ssn, ipv4, ipv6, jwt, phone, email };
std::string_view validator_name(Validator v);
bool parse_validator(std::string_view name, Validator& out);

// gitleaks allowlist semantics: with condition OR (the default) a finding is allowed when ANY
// criterion matches; with AND, when EVERY criterion that is set matches. Regexes apply to the
// secret, the whole match or the whole line depending on `target`.
struct Allowlist {
  enum class Target { secret, match, line };
  std::string description;
  Target target = Target::secret;
  bool condition_and = false;
  std::vector<std::unique_ptr<RE2>> regexes;
  std::vector<std::unique_ptr<RE2>> paths;
  std::vector<std::string> stopwords;      // lowercase; the secret contains one (case-insensitive)
  std::vector<std::string> commits;        // never match outside git history scans
  std::vector<std::string> fingerprints;   // gw extension: finding fingerprints known to be benign
  std::vector<std::string> target_rules;   // global [[allowlists]] only: empty = every rule

  bool empty() const {
    return regexes.empty() && paths.empty() && stopwords.empty() && commits.empty() &&
           fingerprints.empty();
  }
};

struct Rule {
  std::string id;
  std::string description;
  Category category = Category::secret;
  // The rule's regex, compiled when its file loaded; null for a path-only rule and for a deferred
  // one. Built-in rules defer compilation (their patterns are checked by the unit tests): most
  // never run in a session (no keyword of theirs occurs), so compiling them all at start would
  // only cost memory. Read it through has_regex() / pattern() / compiled().
  std::unique_ptr<RE2> regex;
  std::string deferred_pattern;       // non-empty: compiled on first use by compiled()
  int secret_group = 0;               // 0: first non-empty group, or the whole match
  double entropy = 0;                 // 0: no threshold; else Shannon entropy must exceed it
  std::vector<std::string> keywords;  // lowercase; empty: the rule always runs
  std::unique_ptr<RE2> path;          // the rule applies only to files whose path matches
  std::vector<std::string> tags;
  Validator validator = Validator::none;
  std::vector<Allowlist> allowlists;
  // gw format only: examples the rule must match and text it must not (checked by the tests).
  std::vector<std::string> examples;
  std::vector<std::string> negatives;
  std::string source;  // "builtin", or the file it came from

  bool has_regex() const { return regex || !deferred_pattern.empty(); }
  std::string_view pattern() const { return regex ? std::string_view(regex->pattern()) : deferred_pattern; }
  // The compiled regex (null for a path-only rule). A deferred pattern is compiled by the first
  // caller, once, thread-safely; it compiled in the tests, so it compiles here too.
  const RE2* compiled() const;

private:
  mutable std::once_flag m_once;
  mutable std::unique_ptr<RE2> m_deferred;
};

// The rules of one file (or of the built-in set), plus the global allowlists it declares and the
// rules it could not load, each with a precise reason.
struct RuleSet {
  std::string source;
  std::vector<std::shared_ptr<const Rule>> rules;
  std::vector<std::shared_ptr<const Allowlist>> allowlists;
  std::vector<std::string> problems;  // "gitleaks.toml: rule 'x': regex: missing ): ..." per skipped rule
};

}  // namespace gw::scan
