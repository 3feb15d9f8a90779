// The public side of the regex analysis: window plans, group facts and whole-string byte sets,
// all answered by the reader of regex_reader.hpp.
#include "core/scan/regex_window.hpp"

#include "core/scan/regex_reader.hpp"

namespace gw::scan {

using regex_reader::Reader;

bool WindowPlan::usable() const {
  if (atoms.empty() || (max_len == k_unbounded && !line_bounded)) return false;
  for (const auto& a : atoms)
    if (a.size() < 2 || a.find('\n') != std::string::npos || (max_len != k_unbounded && a.size() > max_len))
      return false;
  return true;
}

std::vector<GroupFacts> group_facts(std::string_view pattern) {
  Reader r(pattern);
  if (!r.run()) return {};
  return r.groups();
}

std::optional<std::bitset<256>> whole_string_charset(std::string_view pattern) {
  // Exactly "^" class ("+" | "*") "$", optionally after "(?i)", where the class is one ASCII
  // character set: anything else (alternatives, other anchors, \z ...) is not recognised.
  std::string_view p = pattern;
  std::string prefix;
  if (p.starts_with("(?i)")) {
    prefix = "(?i)";
    p.remove_prefix(4);
  }
  if (p.size() < 4 || p.front() != '^' || p.back() != '$' || p[p.size() - 2] == '\\') return std::nullopt;
  char q = p[p.size() - 2];
  if (q != '+' && q != '*') return std::nullopt;
  std::string item = prefix + std::string(p.substr(1, p.size() - 3));
  Reader r(item);
  auto info = r.run();
  // One byte per match, no assertion, ASCII only: then `chars` is exactly the bytes accepted.
  if (!info || info->min_len != 1 || info->max_len != 1 || info->assertion) return std::nullopt;
  for (size_t c = 128; c < 256; ++c)
    if (info->chars[c]) return std::nullopt;
  return info->chars;
}

WindowPlan plan_windows(std::string_view pattern) {
  WindowPlan plan;
  auto info = Reader(pattern).run();
  if (!info) return plan;
  if (auto req = info->requirement()) plan.atoms = *req;
  plan.max_len = info->max_len;
  plan.line_bounded = !info->nl_nonlast;
  return plan;
}

}  // namespace gw::scan
