#pragma once
// One RE2::Set over the rules that would each scan every string whole (the PII detectors, rules
// without keywords or windows): one DFA pass tells which of them match somewhere in a string, so
// only those run their own regex. Exact: a rule runs whenever it has a match in the string.
#include <re2/set.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/scan/rule.hpp"

namespace gw::scan {

class SetPass {
public:
  // candidates: (rule index, rule) of the rules to consider; rules without a regex, with a path
  // or compiled with other RE2 options than the first are left out. Empty when fewer than two
  // rules qualify or the set does not compile.
  static SetPass build(const std::vector<std::pair<uint32_t, const Rule*>>& candidates);

  bool empty() const { return !m_set; }
  // True when rule index r is decided by the set.
  bool covers(uint32_t r) const { return r < m_covered.size() && m_covered[r]; }
  // Appends to out the indices of the covered rules that match somewhere in text. False when the
  // set could not decide (its DFA ran out of memory): then every covered rule must run.
  bool matching(std::string_view text, std::vector<uint32_t>& out) const;

private:
  std::shared_ptr<RE2::Set> m_set;
  std::vector<uint32_t> m_rules;     // set index -> rule index
  std::vector<uint8_t> m_covered;    // rule index -> in the set
};

}  // namespace gw::scan
