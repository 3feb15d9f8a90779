// The Scanner: building it from rule sets (the combined prefilter, window plans, capture skips,
// the PII set pass), fingerprints and entropy. Scanning itself is in scanner_scan.cpp.
#include "core/scan/scanner.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <unordered_map>

#include "core/common/crypto.hpp"
#include "core/scan/scanner_impl.hpp"

namespace gw::scan {

Scanner::Scanner() : m_impl(std::make_unique<Impl>()) {
  static std::atomic<uint64_t> k_next{1};
  m_generation = k_next.fetch_add(1);
}
Scanner::~Scanner() = default;

double shannon_entropy(std::string_view s) {
  if (s.empty()) return 0;
  size_t counts[256] = {};
  for (unsigned char c : s) ++counts[c];
  double h = 0;
  double n = static_cast<double>(s.size());
  for (size_t c : counts) {
    if (c == 0) continue;
    double p = static_cast<double>(c) / n;
    h -= p * std::log2(p);
  }
  return h;
}

std::string finding_fingerprint(std::string_view rule_id, std::string_view secret) {
  std::string data;
  data.reserve(rule_id.size() + secret.size() + 1);
  data.append(rule_id).push_back('\0');
  data.append(secret);
  return sha256_hex(data).substr(0, 16);
}

Result<std::shared_ptr<const Scanner>> Scanner::create(const std::vector<RuleSet>& sets,
                                                       const ScannerOptions& options) {
  std::shared_ptr<Scanner> s(new Scanner());
  std::unordered_map<std::string, size_t> index;
  for (const auto& set : sets) {
    for (const auto& r : set.rules) {
      if (!options.include_pii && r->category == Category::pii) continue;
      auto it = index.find(r->id);
      if (it != index.end()) {
        s->m_rules[it->second] = r;  // a later set overrides a rule with the same id
      } else {
        index.emplace(r->id, s->m_rules.size());
        s->m_rules.push_back(r);
      }
    }
    for (const auto& a : set.allowlists) s->m_global.push_back(a);
  }
  Impl& impl = *s->m_impl;
  std::vector<std::string> words;
  std::unordered_map<std::string, uint32_t> word_id;
  for (uint32_t i = 0; i < s->m_rules.size(); ++i) {
    const Rule& r = *s->m_rules[i];
    bool any = false;
    bool trivial = false;  // a one-byte keyword occurs in nearly every text: no use prefiltering
    for (const auto& k : r.keywords) trivial |= k.size() < 2;
    for (const auto& k : r.keywords) {
      if (k.empty() || trivial) continue;
      any = true;
      auto [it, fresh] = word_id.emplace(k, static_cast<uint32_t>(words.size()));
      if (fresh) {
        words.push_back(k);
        impl.rules_of_keyword.emplace_back();
      }
      impl.rules_of_keyword[it->second].push_back(i);
    }
    if (!any) impl.always.push_back(i);
    std::vector<const Allowlist*> globals;
    for (const auto& a : s->m_global)
      if (a->target_rules.empty() ||
          std::find(a->target_rules.begin(), a->target_rules.end(), r.id) != a->target_rules.end())
        globals.push_back(a.get());
    impl.skips.push_back(options.shortcuts ? plan_capture_skip(r, globals) : CaptureSkip{});
    impl.global_of_rule.push_back(std::move(globals));
  }
  // Required literals of the rules whose regex allows windows.
  impl.atom_base = static_cast<uint32_t>(words.size());
  std::unordered_map<std::string, uint32_t> atom_id;
  for (uint32_t i = 0; i < s->m_rules.size(); ++i) {
    const Rule& r = *s->m_rules[i];
    WindowPlan plan;
    if (r.has_regex() && options.windows) plan = plan_windows(r.pattern());
    if (!plan.usable()) plan = WindowPlan{};
    for (const auto& a : plan.atoms) {
      auto [it, fresh] = atom_id.emplace(a, static_cast<uint32_t>(impl.rules_of_atom.size()));
      if (fresh) {
        words.push_back(a);
        impl.rules_of_atom.emplace_back();
        impl.atom_len.push_back(static_cast<uint32_t>(a.size()));
      }
      impl.rules_of_atom[it->second].push_back(i);
    }
    impl.plans.push_back(std::move(plan));
  }
  if (options.shortcuts) {
    std::vector<std::pair<uint32_t, const Rule*>> whole;
    for (uint32_t i : impl.always)
      if (!impl.plans[i].usable()) whole.emplace_back(i, s->m_rules[i].get());
    impl.set_pass = SetPass::build(whole);
  }
  impl.flag_base = static_cast<uint32_t>(words.size());
  words.emplace_back("gitleaks:allow");
  for (auto trap : k_fold_traps) words.emplace_back(trap);
  impl.keywords = KeywordIndex(words);
  return std::shared_ptr<const Scanner>(std::move(s));
}

const Rule* Scanner::rule(std::string_view id) const {
  for (const auto& r : m_rules)
    if (r->id == id) return r.get();
  return nullptr;
}

}  // namespace gw::scan
