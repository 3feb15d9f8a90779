#include "core/scan/set_pass.hpp"

#include <string>

namespace gw::scan {
namespace {
bool same_options(const RE2::Options& x, const RE2::Options& y) {
  return x.encoding() == y.encoding() && x.posix_syntax() == y.posix_syntax() &&
         x.longest_match() == y.longest_match() && x.literal() == y.literal() &&
         x.never_nl() == y.never_nl() && x.dot_nl() == y.dot_nl() &&
         x.never_capture() == y.never_capture() && x.case_sensitive() == y.case_sensitive() &&
         x.perl_classes() == y.perl_classes() && x.word_boundary() == y.word_boundary() &&
         x.one_line() == y.one_line();
}
}  // namespace

SetPass SetPass::build(const std::vector<std::pair<uint32_t, const Rule*>>& candidates) {
  SetPass out;
  const RE2* first = nullptr;
  for (const auto& [i, r] : candidates)
    if (r->has_regex() && !r->path && (first = r->compiled())) break;
  if (!first) return out;
  // The members' own options (rules are all compiled by compile_rule_regex()).
  RE2::Options o = first->options();
  o.set_log_errors(false);
  o.set_max_mem(64 << 20);
  auto set = std::make_shared<RE2::Set>(o, RE2::UNANCHORED);
  uint32_t max_index = 0;
  for (const auto& [i, r] : candidates) {
    const RE2* re = r->path ? nullptr : r->compiled();
    if (!re || !same_options(re->options(), o)) continue;
    std::string err;
    if (set->Add(re->pattern(), &err) != static_cast<int>(out.m_rules.size())) return SetPass{};
    out.m_rules.push_back(i);
    max_index = std::max(max_index, i);
  }
  if (out.m_rules.size() < 2 || !set->Compile()) return SetPass{};
  out.m_set = std::move(set);
  out.m_covered.assign(max_index + 1, 0);
  for (uint32_t i : out.m_rules) out.m_covered[i] = 1;
  return out;
}

bool SetPass::matching(std::string_view text, std::vector<uint32_t>& out) const {
  thread_local std::vector<int> matched;
  matched.clear();
  RE2::Set::ErrorInfo err{};
  bool any = m_set->Match(text, &matched, &err);
  if (!any) return err.kind == RE2::Set::kNoError;
  for (int k : matched) out.push_back(m_rules[static_cast<size_t>(k)]);
  return true;
}

}  // namespace gw::scan
