// The Scanner: keyword prefilter, RE2 matching, secret selection, entropy, validators, allowlists.
#include "core/scan/scanner.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "core/common/crypto.hpp"
#include "core/scan/prefilter.hpp"
#include "core/scan/validators.hpp"

namespace gw::scan {

struct Scanner::Impl {
  KeywordIndex keywords;
  std::vector<std::vector<uint32_t>> rules_of_keyword;  // keyword id -> rule indices
  std::vector<uint32_t> always;                         // rules without keywords
  std::vector<std::vector<const Allowlist*>> global_of_rule;  // global allowlists per rule
};

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
    impl.global_of_rule.push_back(std::move(globals));
  }
  impl.keywords = KeywordIndex(words);
  return std::shared_ptr<const Scanner>(std::move(s));
}

const Rule* Scanner::rule(std::string_view id) const {
  for (const auto& r : m_rules)
    if (r->id == id) return r.get();
  return nullptr;
}

namespace {

struct Candidate {
  std::string_view secret, match, line;
  std::string_view path;
  const std::string* fingerprint;
};

bool contains_stopword(std::string_view secret, const std::vector<std::string>& words) {
  std::string l(secret);
  for (auto& c : l) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (const auto& w : words)
    if (l.find(w) != std::string::npos) return true;
  return false;
}

// gitleaks semantics: OR = any criterion that is set matches; AND = every criterion that is set.
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
    if (std::find(al.fingerprints.begin(), al.fingerprints.end(), *c.fingerprint) != al.fingerprints.end())
      ++matched;
  }
  return al.condition_and ? (set > 0 && matched == set) : matched > 0;
}

// True when a path-only criterion makes the allowlist skip the whole file.
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

// The lines spanned by [begin, end), for spans given in increasing order: amortised O(text).
struct LineCursor {
  std::string_view text;
  size_t start = 0;     // start of the line holding `scanned`
  size_t scanned = 0;   // no '\n' in [start, scanned)
  size_t end = std::string_view::npos;  // the first '\n' at or after the last `stop`

  std::string_view span(size_t begin, size_t stop) {
    if (begin < scanned) {  // out of order (should not happen): restart
      start = scanned = 0;
      end = std::string_view::npos;
    }
    while (scanned < begin) {
      const void* nl = std::memchr(text.data() + scanned, '\n', begin - scanned);
      if (!nl) {
        scanned = begin;
        break;
      }
      scanned = static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1;
      start = scanned;
    }
    if (end == std::string_view::npos || stop > end) {
      const void* nl = stop < text.size() ? std::memchr(text.data() + stop, '\n', text.size() - stop) : nullptr;
      end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
    }
    return text.substr(start, end - start);
  }
};

}  // namespace

std::vector<Finding> Scanner::scan(std::string_view text, const ScanContext& ctx) const {
  std::vector<Finding> out;
  for (const auto& g : m_global)
    if (g->target_rules.empty() && allows_whole_file(*g, ctx.file_path)) return out;

  const Impl& impl = *m_impl;
  // Scratch reused across calls on this thread: bodies hold thousands of small strings.
  thread_local std::vector<uint8_t> run, found;
  run.assign(m_rules.size(), 0);
  for (uint32_t i : impl.always) run[i] = 1;
  if (impl.keywords.keyword_count() > 0) {
    found.assign(impl.keywords.keyword_count(), 0);
    if (impl.keywords.find(text, found) > 0)
      for (size_t k = 0; k < found.size(); ++k)
        if (found[k])
          for (uint32_t r : impl.rules_of_keyword[k]) run[r] = 1;
  }

  const bool has_allow_marker = text.find("gitleaks:allow") != std::string_view::npos;
  std::vector<re2::StringPiece> groups;
  for (uint32_t ri = 0; ri < m_rules.size(); ++ri) {
    if (!run[ri]) continue;
    const Rule& rule = *m_rules[ri];
    if (rule.path) {
      if (ctx.file_path.empty() || !RE2::PartialMatch(ctx.file_path, *rule.path)) continue;
      if (!rule.regex) {  // path-only rule: the file itself is the finding
        Finding f;
        f.rule_id = rule.id;
        f.category = rule.category;
        f.fingerprint = finding_fingerprint(rule.id, ctx.file_path);
        out.push_back(std::move(f));
        continue;
      }
    }
    if (!rule.regex) continue;
    const RE2& re = *rule.regex;
    int ngroups = re.NumberOfCapturingGroups();
    groups.assign(static_cast<size_t>(ngroups) + 1, {});
    bool need_lines = has_allow_marker || rule_wants_lines(rule, impl.global_of_rule[ri]);
    LineCursor lines{text};
    size_t pos = 0;
    while (pos <= text.size() &&
           re.Match(text, pos, text.size(), RE2::UNANCHORED, groups.data(), ngroups + 1)) {
      auto sv = [](const re2::StringPiece& p) { return std::string_view(p.data(), p.size()); };
      std::string_view m = sv(groups[0]);
      size_t mstart = static_cast<size_t>(m.data() - text.data());
      pos = mstart + (m.empty() ? 1 : m.size());
      // The secret: the configured group, else the first non-empty group, else the match.
      std::string_view secret = m;
      if (rule.secret_group > 0) {
        secret = sv(groups[static_cast<size_t>(rule.secret_group)]);
      } else {
        for (int g = 1; g <= ngroups; ++g)
          if (!groups[static_cast<size_t>(g)].empty()) {
            secret = sv(groups[static_cast<size_t>(g)]);
            break;
          }
      }
      if (secret.empty() || secret.data() == nullptr) continue;
      // The whole lines the match touches (found incrementally: matches of one rule come in
      // order, so this stays linear even on one huge line).
      std::string_view line;
      if (need_lines) {
        line = lines.span(mstart, mstart + m.size());
        if (has_allow_marker && line.find("gitleaks:allow") != std::string_view::npos) continue;
      }
      double h = shannon_entropy(secret);
      if (rule.entropy > 0 && h <= rule.entropy) continue;
      if (!validate_candidate(rule.validator, secret)) continue;
      std::string fp = finding_fingerprint(rule.id, secret);
      Candidate c{secret, m, line, ctx.file_path, &fp};
      bool allowed = false;
      for (const auto& al : rule.allowlists)
        if ((allowed = allowed_by(al, c))) break;
      if (!allowed)
        for (const Allowlist* al : impl.global_of_rule[ri])
          if ((allowed = allowed_by(*al, c))) break;
      if (allowed) continue;
      Finding f;
      f.rule_id = rule.id;
      f.category = rule.category;
      f.offset = static_cast<size_t>(secret.data() - text.data());
      f.length = secret.size();
      f.match_offset = mstart;
      f.match_length = m.size();
      f.entropy = h;
      f.fingerprint = std::move(fp);
      out.push_back(std::move(f));
    }
  }
  std::sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.rule_id < b.rule_id;
  });
  // A generic rule's finding that overlaps a specific rule's finding is the same secret found
  // twice: keep the specific one (as gitleaks does).
  auto generic = [this](const Finding& f) {
    const Rule* r = rule(f.rule_id);
    return f.rule_id.starts_with("generic") ||
           (r && std::find(r->tags.begin(), r->tags.end(), "generic") != r->tags.end());
  };
  bool any_generic = false;
  for (const auto& f : out) any_generic |= generic(f);
  if (any_generic) {
    // Specific spans by start with a running maximum of their ends: O(n log n) overall.
    std::vector<std::pair<size_t, size_t>> spec;  // (start, max end so far)
    for (const auto& f : out)
      if (!generic(f)) spec.emplace_back(f.offset, std::max(spec.empty() ? 0 : spec.back().second, f.offset + f.length));
    size_t k = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      bool drop = false;
      if (generic(out[i])) {
        size_t end = out[i].offset + out[i].length;
        auto it = std::lower_bound(spec.begin(), spec.end(), std::make_pair(end, size_t{0}));
        drop = it != spec.begin() && std::prev(it)->second > out[i].offset;
      }
      if (drop) continue;
      if (k != i) out[k] = std::move(out[i]);
      ++k;
    }
    out.resize(k);
  }
  // Lines and columns in one forward pass.
  size_t line = 1, line_start = 0, at = 0;
  for (auto& f : out) {
    while (at < f.offset) {
      const void* nl = std::memchr(text.data() + at, '\n', f.offset - at);
      if (!nl) {
        at = f.offset;
        break;
      }
      at = static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1;
      ++line;
      line_start = at;
    }
    f.line = line;
    f.column = f.offset - line_start + 1;
  }
  return out;
}

}  // namespace gw::scan
