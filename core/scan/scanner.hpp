#pragma once
// The scanning engine: an immutable Scanner built once from rule sets (at policy load), shared by
// every request thread (all methods are const and thread-safe).
//
//   auto rules = gw::scan::builtin_rules();                       // or load_rules_file(path)
//   auto scanner = gw::scan::Scanner::create({*rules});           // Result<shared_ptr<const>>
//   auto findings = (*scanner)->scan(text);                       // plain text
//   auto body = gw::scan::scan_body(**scanner, body, BodyKind::anthropic, &cache);  // JSON-aware
//
// Matching follows gitleaks: a keyword prefilter decides which rules run, the secret is the
// rule's secretGroup (else the first non-empty group, else the whole match), the Shannon entropy
// of the secret must exceed the rule's threshold, allowlists (rule and global) suppress, and a
// line containing "gitleaks:allow" is skipped.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"
#include "core/scan/rule.hpp"

namespace gw::scan {

struct Finding {
  std::string rule_id;
  Category category = Category::secret;
  // The secret's byte span in the scanned text. For scan_body(): the RAW span in the body, i.e.
  // exactly the bytes to replace to redact it (escapes included).
  size_t offset = 0;
  size_t length = 0;
  // The whole regex match, in the same coordinates as offset (for text scans; equal to the secret
  // span for body scans when the match spans escapes).
  size_t match_offset = 0;
  size_t match_length = 0;
  // 1-based line and byte column of the secret in the scanned text (for scan_body(): in the
  // decoded string holding it).
  size_t line = 0;
  size_t column = 0;
  double entropy = 0;
  // Hash of rule id and secret (16 hex). Never the secret; stable across runs and machines, so it
  // can be allowlisted. Placeholders show its first 8 characters.
  std::string fingerprint;
  // scan_body() only: where the string is in the JSON document.
  std::string json_pointer;  // "/messages/3/content/0/text"
  std::string json_path;     // "messages[3].content[0].text"
};

// What the caller knows about the text, for path rules and path allowlists.
struct ScanContext {
  std::string_view file_path;  // empty: not a file (request bodies); path-only rules do not run
};

struct ScannerOptions {
  bool include_pii = true;  // keep rules of category pii
  // Run each rule's regex only on windows around its required literals (same findings, less
  // work; see regex_window.hpp). Off: every running rule scans the whole text (for comparison).
  bool windows = true;
  // Exact shortcuts that change cost, never findings: skip extracting capture groups of a match
  // every possible secret of which an allowlist accepts (capture_skip.hpp). Off: every match is
  // checked the long way (the reference the property tests compare against).
  bool shortcuts = true;
};

class Scanner {
public:
  // Compiles the combined prefilter for the rules of all sets (later sets may not reuse an id:
  // a duplicate id replaces the earlier rule, so a user file can override a built-in rule).
  static Result<std::shared_ptr<const Scanner>> create(const std::vector<RuleSet>& sets,
                                                       const ScannerOptions& options = {});

  // Every finding in text, ordered by offset. Linear in text size for the prefilter; each rule
  // whose keywords occur runs its RE2 once over the text.
  std::vector<Finding> scan(std::string_view text, const ScanContext& ctx = {}) const;

  size_t rule_count() const { return m_rules.size(); }
  // Unique per Scanner instance in this process: caches key their entries with it, so results
  // computed under an older rule set are never reused after a policy reload.
  uint64_t generation() const { return m_generation; }
  const Rule* rule(std::string_view id) const;
  const std::vector<std::shared_ptr<const Rule>>& rules() const { return m_rules; }

  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

private:
  Scanner();
  struct Impl;
  std::vector<std::shared_ptr<const Rule>> m_rules;
  std::vector<std::shared_ptr<const Allowlist>> m_global;
  std::unique_ptr<Impl> m_impl;
  uint64_t m_generation = 0;
};

// The fingerprint of a secret found by a rule (16 lowercase hex).
std::string finding_fingerprint(std::string_view rule_id, std::string_view secret);
// Shannon entropy in bits per byte.
double shannon_entropy(std::string_view s);

}  // namespace gw::scan
