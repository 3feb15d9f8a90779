#pragma once
// Internal to the Scanner: gitleaks' allowlist semantics for one candidate finding.
#include <string>
#include <string_view>
#include <vector>

#include "core/scan/rule.hpp"
#include "core/scan/scanner.hpp"

namespace gw::scan {

// One match about to become a finding: what allowlists look at.
struct Candidate {
  std::string_view secret, match, line;
  std::string_view path;
  std::string_view rule_id;
  // Computed on first use (a SHA-256): most candidates are decided without it.
  const std::string& fingerprint() const {
    if (fp.empty()) fp = finding_fingerprint(rule_id, secret);
    return fp;
  }
  mutable std::string fp;
};

// Whether one of words (lowercase) occurs in secret, ASCII case-insensitively.
bool contains_stopword(std::string_view secret, const std::vector<std::string>& words);
// gitleaks semantics: OR = any criterion that is set matches; AND = every criterion that is set.
bool allowed_by(const Allowlist& al, const Candidate& c);
// True when a path-only criterion makes the allowlist skip the whole file.
bool allows_whole_file(const Allowlist& al, std::string_view path);
// True when an allowlist of the rule (or a global one for it) looks at whole lines.
bool rule_wants_lines(const Rule& r, const std::vector<const Allowlist*>& globals);

}  // namespace gw::scan
