// gitleaks' allowlist semantics (allowlist_check.hpp).
#include "core/scan/allowlist_check.hpp"

#include <algorithm>

namespace gw::scan {

bool contains_stopword(std::string_view secret, const std::vector<std::string>& words) {
  std::string l(secret);
  for (auto& c : l) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (const auto& w : words)
    if (l.find(w) != std::string::npos) return true;
  return false;
}

bool allowed_by(const Allowlist& al, const Candidate& c) {
  int set = 0, matched = 0;
  if (!al.commits.empty()) ++set;  // no commit context outside git scans: never matches
  if (!al.paths.empty()) {
    ++set;
    if (!c.path.empty())
      for (const auto& re : al.paths)
        if (RE2::PartialMatch(c.path, *re)) {
          ++matched;
          break;
        }
  }
  if (!al.regexes.empty()) {
    ++set;
    std::string_view target = al.target == Allowlist::Target::secret ? c.secret
                              : al.target == Allowlist::Target::match ? c.match
                                                                      : c.line;
    for (const auto& re : al.regexes)
      if (RE2::PartialMatch(target, *re)) {
        ++matched;
        break;
      }
  }
  if (!al.stopwords.empty()) {
    ++set;
    if (contains_stopword(c.secret, al.stopwords)) ++matched;
  }
  if (!al.fingerprints.empty()) {
    ++set;
    if (std::find(al.fingerprints.begin(), al.fingerprints.end(), c.fingerprint()) != al.fingerprints.end())
      ++matched;
  }
  return al.condition_and ? (set > 0 && matched == set) : matched > 0;
}

bool allows_whole_file(const Allowlist& al, std::string_view path) {
  if (path.empty() || al.paths.empty()) return false;
  bool path_only = al.regexes.empty() && al.stopwords.empty() && al.commits.empty() && al.fingerprints.empty();
  if (al.condition_and && !path_only) return false;
  for (const auto& re : al.paths)
    if (RE2::PartialMatch(path, *re)) return true;
  return false;
}

bool rule_wants_lines(const Rule& r, const std::vector<const Allowlist*>& globals) {
  for (const auto& a : r.allowlists)
    if (a.target == Allowlist::Target::line && !a.regexes.empty()) return true;
  for (const auto* a : globals)
    if (a->target == Allowlist::Target::line && !a->regexes.empty()) return true;
  return false;
}

}  // namespace gw::scan
