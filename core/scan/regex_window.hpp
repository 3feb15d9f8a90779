#pragma once
// Static analysis of a rule regex (RE2 syntax) that lets the scanner run RE2 only on small windows
// of the text instead of the whole text, with exactly the same matches.
//
// A WindowPlan states facts true of EVERY string the regex can match:
//   - it contains one of `atoms` (compared ASCII case-insensitively; atoms are lowercase ASCII);
//   - it is at most `max_len` bytes long (k_unbounded: no bound known);
//   - when `line_bounded`, a '\n' can only be its last byte.
// So every match lies near an occurrence of an atom: it starts no earlier than max_len bytes
// before the atom's end and no earlier than the start of the atom's line (line_bounded), and ends
// accordingly. Anything the analyser does not understand makes the plan unusable (the rule then
// runs over the whole text, as before), so an unusual pattern can cost speed, never a finding.
//
// Case folding: under (?i) RE2 (like Go) folds 'k' with U+212A (KELVIN SIGN) and 's' with U+017F
// (LATIN SMALL LETTER LONG S). Texts holding either character must be scanned without windows;
// the scanner checks for them (k_fold_traps).
#include <bitset>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::scan {

struct WindowPlan {
  static constexpr size_t k_unbounded = static_cast<size_t>(-1);
  std::vector<std::string> atoms;  // lowercase; empty: the regex has no known required literal
  size_t max_len = k_unbounded;
  bool line_bounded = false;

  // Windows help only with a required literal of 2+ bytes and a bound on where a match can be.
  bool usable() const;
};

// UTF-8 sequences of the non-ASCII characters that case-fold to ASCII letters in RE2.
inline constexpr std::string_view k_fold_traps[] = {"\xE2\x84\xAA", "\xC5\xBF"};

// Analyses pattern (as given to RE2, after Go translation). Never fails: an unusable plan is the
// answer for anything unexpected.
WindowPlan plan_windows(std::string_view pattern);

// Facts true of what a capturing group captures whenever a match of the whole pattern has it.
struct GroupFacts {
  std::bitset<256> chars;  // every byte the capture may contain (a superset)
  size_t min_len = 0;      // its length in bytes is at least this
  bool always = true;      // every match of the pattern has this group (not optional, not in
                           // one branch of an alternative)
};
// Per capturing group in RE2's numbering (index 0 unused); empty when the pattern is not
// understood (the caller then knows nothing about the groups).
std::vector<GroupFacts> group_facts(std::string_view pattern);

// When pattern (an allowlist regex) matches exactly the non-empty strings made only of the
// returned bytes, as in "^[a-zA-Z_.-]+$" (also with "*" or a leading (?i)): that byte set, which
// is then a subset of what the pattern accepts. nullopt for any other pattern.
std::optional<std::bitset<256>> whole_string_charset(std::string_view pattern);

}  // namespace gw::scan
