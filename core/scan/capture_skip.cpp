#include "core/scan/capture_skip.hpp"

#include <algorithm>

#include "core/scan/regex_window.hpp"

namespace gw::scan {
namespace {

// An allowlist that accepts a candidate whenever one of its secret-target regexes matches.
bool regexes_alone_decide(const Allowlist& a) {
  if (a.target != Allowlist::Target::secret || a.regexes.empty()) return false;
  if (!a.condition_and) return true;
  return a.paths.empty() && a.stopwords.empty() && a.commits.empty() && a.fingerprints.empty();
}

void add_sets(const Allowlist& a, std::vector<std::bitset<256>>& out) {
  if (!regexes_alone_decide(a)) return;
  for (const auto& re : a.regexes)
    if (auto s = whole_string_charset(re->pattern())) out.push_back(*s);
}

}  // namespace

CaptureSkip plan_capture_skip(const Rule& rule, const std::vector<const Allowlist*>& globals) {
  CaptureSkip plan;
  if (!rule.has_regex()) return plan;
  // Only a rule some allowlist of which accepts whole strings of a byte set can use the skip;
  // the others need not be compiled to find that out.
  std::vector<std::bitset<256>> allowed;
  for (const auto& a : rule.allowlists) add_sets(a, allowed);
  for (const Allowlist* a : globals) add_sets(*a, allowed);
  if (allowed.empty()) return plan;
  const RE2* re = rule.compiled();
  if (!re) return plan;
  const int ngroups = re->NumberOfCapturingGroups();
  auto facts = group_facts(re->pattern());
  if (ngroups < 1 || facts.size() != static_cast<size_t>(ngroups) + 1) return plan;
  // The secret: the configured group; by default the first non-empty group, which is group 1
  // only when group 1 takes part in every match and is never empty.
  size_t g = 1;
  if (rule.secret_group > 0) {
    if (rule.secret_group > ngroups) return plan;
    g = static_cast<size_t>(rule.secret_group);
  } else if (!facts[1].always || facts[1].min_len < 1) {
    return plan;
  }
  plan.chars = facts[g].chars;
  plan.min_len = std::max<size_t>(facts[g].min_len, 1);
  plan.allowed = std::move(allowed);
  return plan;
}

bool CaptureSkip::rejects(std::string_view match) const {
  const auto* p = reinterpret_cast<const unsigned char*>(match.data());
  const size_t n = match.size();
  bool any_run = false;
  for (size_t i = 0; i < n;) {
    if (!chars[p[i]]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && chars[p[j]]) ++j;
    if (j - i >= min_len) {
      any_run = true;
      bool covered = false;
      for (const auto& s : allowed) {
        size_t k = i;
        while (k < j && s[p[k]]) ++k;
        if ((covered = k == j)) break;
      }
      if (!covered) return false;
    }
    i = j;
  }
  return any_run;
}

}  // namespace gw::scan
