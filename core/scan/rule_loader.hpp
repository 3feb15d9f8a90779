#pragma once
// Loading rule files. Two formats:
//   - gw's own TOML ([[rule]] tables; see docs/scanning.md). Strict: any unknown key, bad value or
//     regex that does not compile fails the whole load with "file:line:col: rule 'id': ...".
//   - gitleaks configuration files ([[rules]] tables). Faithful to gitleaks' keys and semantics;
//     a rule that cannot be used (e.g. a regex RE2 cannot compile) is skipped and listed in
//     RuleSet::problems with the rule id and the reason, unless options.strict is set.
// All regexes are compiled here, once.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <re2/re2.h>

#include "core/common/result.hpp"
#include "core/scan/rule.hpp"

namespace gw::scan {

struct LoadOptions {
  bool strict = false;  // gitleaks files: fail on the first unusable rule instead of skipping it
  // gw files: keep each rule's pattern and compile it on first use (Rule::compiled()) instead of
  // now. Only for rules whose patterns are known to compile: the built-in rules (unit-tested).
  bool defer_regex = false;
};

Result<RuleSet> load_gw_rules(std::string_view toml_text, std::string_view source,
                              const LoadOptions& options = {});
Result<RuleSet> load_gitleaks_rules(std::string_view toml_text, std::string_view source,
                                    const LoadOptions& options = {});
// Picks the format from the content: [[rules]] means gitleaks, [[rule]] means gw.
Result<RuleSet> load_rules(std::string_view toml_text, std::string_view source,
                           const LoadOptions& options = {});
Result<RuleSet> load_rules_file(const std::filesystem::path& path, const LoadOptions& options = {});

// The rules compiled into gw (secrets and PII), in the gw format. Loading them cannot fail in a
// correct build (a unit test loads them); the Result is for symmetry. Their regexes are compiled
// on first use (LoadOptions::defer_regex; a unit test compiles them all).
Result<RuleSet> builtin_rules();

// Compiles a pattern with the options every rule uses (UTF-8, leftmost-first like Go, no logging).
// go_syntax: the pattern comes from a gitleaks file and Go-only constructs are translated first.
// On failure, the message names the RE2 error and the offending fragment.
Result<std::unique_ptr<RE2>> compile_rule_regex(std::string_view pattern, bool go_syntax);
// Rewrites the few Go regexp constructs RE2 does not accept (see docs/scanning.md).
std::string translate_go_regex(std::string_view pattern);

}  // namespace gw::scan
