#pragma once
// Internal to the Scanner (scanner.cpp builds it, scanner_scan.cpp runs it): the compiled form of
// a rule set.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/scan/capture_skip.hpp"
#include "core/scan/prefilter.hpp"
#include "core/scan/regex_window.hpp"
#include "core/scan/scanner.hpp"
#include "core/scan/set_pass.hpp"

namespace gw::scan {

// Where a windowed rule may match, around one occurrence of one of its required literals.
struct Window {
  size_t lo, hi;  // a match may start in [lo, hi]
  size_t end;     // ... and then ends at or before end
};

// One automaton finds, in a single pass: the rules' keywords (ids [0, atom_base)), the required
// literals of windowed rules with their positions (ids [atom_base, flag_base)), and three flags:
// "gitleaks:allow" and the two case-folding traps of regex_window.hpp.
struct Scanner::Impl {
  void collect_windows(std::string_view text, const std::vector<uint8_t>& run,
                       const std::vector<KeywordIndex::Hit>& hits,
                       std::vector<std::vector<Window>>& windows_of) const;
  KeywordIndex keywords;
  std::vector<std::vector<uint32_t>> rules_of_keyword;  // keyword id -> rule indices
  std::vector<uint32_t> always;                         // rules without keywords
  std::vector<std::vector<const Allowlist*>> global_of_rule;  // global allowlists per rule
  std::vector<WindowPlan> plans;                        // per rule; usable() ones run in windows
  std::vector<std::vector<uint32_t>> rules_of_atom;     // (atom id - atom_base) -> rule indices
  std::vector<uint32_t> atom_len;                       // (atom id - atom_base) -> length
  std::vector<CaptureSkip> skips;                       // per rule; usable() ones may skip groups
  SetPass set_pass;  // the always-running whole-text rules (PII detectors...), see set_pass.hpp
  uint32_t atom_base = 0, flag_base = 0;
};

}  // namespace gw::scan
