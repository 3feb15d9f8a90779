#pragma once
// Skipping RE2's capture-group extraction for matches that cannot yield a finding.
//
// Extracting a rule's secret group costs RE2 several microseconds per match (BitState/NFA over
// the whole program), while finding the match span costs a DFA pass. Generic assignment rules
// match often in ordinary code ("password = process.env.DB_PASSWORD") and then reject the value
// through an allowlist such as gitleaks' ^[a-zA-Z_.-]+$. A CaptureSkip decides, from the match
// span alone, that EVERY value the secret group could have inside it is allowlisted, so the
// scanner can drop the match without extracting groups. It is exact, never a heuristic:
//   - the secret group g captures a substring of the match made only of bytes in `chars`, at
//     least `min_len` long (static facts of the pattern, group_facts() in regex_window.hpp), so
//     the secret lies inside one maximal run of such bytes of length >= min_len;
//   - an allowlist that applies on its own (OR condition, or AND with regexes as its only
//     criterion) targets the secret with a regex accepting every non-empty string over some
//     byte set S (whole_string_charset());
//   - if every such run of the match is made of bytes of one such S, any secret is allowlisted.
// Anything not recognised leaves the plan unusable and the match takes the normal path.
#include <bitset>
#include <string_view>
#include <vector>

#include "core/scan/rule.hpp"

namespace gw::scan {

struct CaptureSkip {
  std::bitset<256> chars;                  // bytes the secret group may contain
  size_t min_len = 1;                      // its least length
  std::vector<std::bitset<256>> allowed;   // S of each whole-string charset allowlist regex

  bool usable() const { return !allowed.empty(); }
  // True when no secret inside match (a match span of the rule's regex) can become a finding
  // because an allowlist accepts it. False means "unknown": extract the groups as usual.
  bool rejects(std::string_view match) const;
};

// The plan for a rule, given the global allowlists that apply to it; unusable when the rule's
// secret group or allowlists are not of the recognised shapes.
CaptureSkip plan_capture_skip(const Rule& rule, const std::vector<const Allowlist*>& globals);

}  // namespace gw::scan
