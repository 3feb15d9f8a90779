// Scanner::scan: the prefilter pass, windows around required literals, RE2 matching, secret
// selection, entropy, validators and allowlists, then the generic-overlap rule and line numbers.
#include <algorithm>
#include <cstring>

#include "core/json/byte_find.hpp"
#include "core/scan/allowlist_check.hpp"
#include "core/scan/scanner_impl.hpp"
#include "core/scan/validators.hpp"

namespace gw::scan {
namespace {

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

// Windows of the running windowed rules: for each occurrence of one of a rule's atoms, the starts
// a match containing it can have [lo, hi] and the offset it must end by; sorted and merged.
void Scanner::Impl::collect_windows(std::string_view text, const std::vector<uint8_t>& run,
                                    const std::vector<KeywordIndex::Hit>& hits,
                                    std::vector<std::vector<Window>>& windows_of) const {
  const Impl& impl = *this;
  thread_local std::vector<uint32_t> touched;
  thread_local std::vector<size_t> newlines;
  bool have_newlines = false;
  for (uint32_t r : touched) windows_of[r].clear();
  touched.clear();
  const size_t n = text.size();
  for (const auto& h : hits) {
    if (h.id >= impl.flag_base) continue;
    const uint32_t a = h.id - impl.atom_base;
    const size_t p = h.end - impl.atom_len[a];
    size_t line_start = std::string_view::npos, line_end = 0;  // of the line holding p, on first use
    for (uint32_t r : impl.rules_of_atom[a]) {
      if (!run[r]) continue;
      const WindowPlan& plan = impl.plans[r];
      Window w{0, p, n};
      if (plan.max_len != WindowPlan::k_unbounded) {
        w.lo = h.end > plan.max_len ? h.end - plan.max_len : 0;
        w.end = std::min(n, p + plan.max_len);
      }
      if (plan.line_bounded) {
        if (line_start == std::string_view::npos) {
          if (!have_newlines) {
            newlines.clear();
            json::for_each_byte(text.data(), n, '\n', [](size_t at) { newlines.push_back(at); });
            have_newlines = true;
          }
          auto it = std::lower_bound(newlines.begin(), newlines.end(), p);  // first '\n' at or after p
          line_end = it == newlines.end() ? n : *it + 1;                    // a '\n' may end the match
          line_start = it == newlines.begin() ? 0 : *std::prev(it) + 1;
        }
        w.lo = std::max(w.lo, line_start);
        w.end = std::min(w.end, std::min(n, line_end));
      }
      auto& ws = windows_of[r];
      if (ws.empty()) touched.push_back(r);
      ws.push_back(w);
    }
  }
  // Merging windows closer than this saves RE2 calls; starts in the gap cannot begin a match.
  constexpr size_t k_gap = 64;
  for (uint32_t r : touched) {
    auto& ws = windows_of[r];
    std::sort(ws.begin(), ws.end(), [](const Window& x, const Window& y) { return x.lo < y.lo; });
    size_t k = 0;
    for (size_t i = 1; i < ws.size(); ++i) {
      if (ws[i].lo <= ws[k].hi + k_gap) {
        ws[k].hi = std::max(ws[k].hi, ws[i].hi);
        ws[k].end = std::max(ws[k].end, ws[i].end);
      } else {
        ws[++k] = ws[i];
      }
    }
    ws.resize(k + 1);
  }
}

std::vector<Finding> Scanner::scan(std::string_view text, const ScanContext& ctx) const {
  std::vector<Finding> out;
  for (const auto& g : m_global)
    if (g->target_rules.empty() && allows_whole_file(*g, ctx.file_path)) return out;

  const Impl& impl = *m_impl;
  // Scratch reused across calls on this thread: bodies hold thousands of small strings.
  // found and run are all zero between calls (only the entries set are reset), so a call on a
  // short string costs nothing per keyword or rule that does not occur.
  thread_local std::vector<uint8_t> run, found;
  thread_local std::vector<uint32_t> seen, running;
  thread_local std::vector<KeywordIndex::Hit> hits;
  thread_local std::vector<std::vector<Window>> windows_of;  // per rule, from the atom hits
  if (run.size() < m_rules.size()) run.resize(m_rules.size(), 0);
  if (found.size() < impl.keywords.keyword_count()) found.resize(impl.keywords.keyword_count(), 0);
  hits.clear();
  seen.clear();
  running.clear();
  impl.keywords.find(text, found, impl.atom_base, hits, seen);
  bool set_decides = false;
  if (!impl.set_pass.empty()) {
    const size_t before = running.size();
    set_decides = impl.set_pass.matching(text, running);
    for (size_t k = before; k < running.size(); ++k) run[running[k]] = 1;
  }
  for (uint32_t i : impl.always)
    if (!set_decides || !impl.set_pass.covers(i)) run[i] = 1, running.push_back(i);
  for (uint32_t k : seen)
    if (k < impl.atom_base)
      for (uint32_t r : impl.rules_of_keyword[k])
        if (!run[r]) run[r] = 1, running.push_back(r);
  const bool has_allow_marker = found[impl.flag_base] &&
                                text.find("gitleaks:allow") != std::string_view::npos;
  // A folding trap (see regex_window.hpp) voids the windows' premise: scan whole texts then.
  const bool use_windows = !found[impl.flag_base + 1] && !found[impl.flag_base + 2];
  for (uint32_t k : seen) found[k] = 0;
  std::sort(running.begin(), running.end());  // rules run in their order, as before
  if (windows_of.size() < m_rules.size()) windows_of.resize(m_rules.size());
  if (use_windows) impl.collect_windows(text, run, hits, windows_of);
  std::vector<re2::StringPiece> groups;
  for (uint32_t ri : running) {
    const Rule& rule = *m_rules[ri];
    if (rule.path) {
      if (ctx.file_path.empty() || !RE2::PartialMatch(ctx.file_path, *rule.path)) continue;
      if (!rule.has_regex()) {  // path-only rule: the file itself is the finding
        Finding f;
        f.rule_id = rule.id;
        f.category = rule.category;
        f.fingerprint = finding_fingerprint(rule.id, ctx.file_path);
        out.push_back(std::move(f));
        continue;
      }
    }
    const RE2* compiled = rule.compiled();
    if (!compiled) continue;
    const RE2& re = *compiled;
    int ngroups = re.NumberOfCapturingGroups();
    groups.assign(static_cast<size_t>(ngroups) + 1, {});
    bool need_lines = has_allow_marker || rule_wants_lines(rule, impl.global_of_rule[ri]);
    LineCursor lines{text};
    size_t pos = 0;
    auto sv = [](const re2::StringPiece& p) { return std::string_view(p.data(), p.size()); };
    // One match of the rule: gitleaks' checks, then a finding unless allowed.
    auto on_match = [&]() {
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
      if (secret.empty() || secret.data() == nullptr) return;
      // The whole lines the match touches (found incrementally: matches of one rule come in
      // order, so this stays linear even on one huge line).
      std::string_view line;
      if (need_lines) {
        line = lines.span(mstart, mstart + m.size());
        if (has_allow_marker && line.find("gitleaks:allow") != std::string_view::npos) return;
      }
      double h = shannon_entropy(secret);
      if (rule.entropy > 0 && h <= rule.entropy) return;
      if (!validate_candidate(rule.validator, secret)) return;
      Candidate c{secret, m, line, ctx.file_path, rule.id, {}};
      bool allowed = false;
      for (const auto& al : rule.allowlists)
        if ((allowed = allowed_by(al, c))) break;
      if (!allowed)
        for (const Allowlist* al : impl.global_of_rule[ri])
          if ((allowed = allowed_by(*al, c))) break;
      if (allowed) return;
      Finding f;
      f.rule_id = rule.id;
      f.category = rule.category;
      f.offset = static_cast<size_t>(secret.data() - text.data());
      f.length = secret.size();
      f.match_offset = mstart;
      f.match_length = m.size();
      f.entropy = h;
      f.fingerprint = c.fingerprint();
      out.push_back(std::move(f));
    };
    // The next match in [from, end): its span only (a DFA pass) when the rule may skip group
    // extraction; the groups are then extracted by an anchored match on exactly that span (the
    // same leftmost-first parse) unless the skip applies. Returns false when there is no match;
    // sets skipped when the match is to be dropped (then pass_match() moves past it).
    const CaptureSkip& skip = impl.skips[ri];
    bool skipped = false;
    auto next_match = [&](size_t from, size_t end) {
      skipped = false;
      if (!skip.usable()) return re.Match(text, from, end, RE2::UNANCHORED, groups.data(), ngroups + 1);
      if (!re.Match(text, from, end, RE2::UNANCHORED, groups.data(), 1)) return false;
      std::string_view m = sv(groups[0]);
      size_t mstart = static_cast<size_t>(m.data() - text.data());
      if (skip.rejects(m)) return skipped = true;
      return re.Match(text, mstart, mstart + m.size(), RE2::ANCHOR_BOTH, groups.data(), ngroups + 1) ||
             re.Match(text, from, end, RE2::UNANCHORED, groups.data(), ngroups + 1);
    };
    auto pass_match = [&] {
      pos = static_cast<size_t>(groups[0].data() - text.data()) + std::max<size_t>(groups[0].size(), 1);
    };
    if (use_windows && impl.plans[ri].usable()) {
      // Only starts inside a window can begin a match, and such a match ends by the window's
      // end (regex_window.hpp), so this finds exactly the matches of the loop below.
      for (const Window& w : windows_of[ri]) {
        if (w.hi < pos) continue;
        size_t from = std::max(w.lo, pos);
        while (from <= w.hi && next_match(from, w.end)) {
          if (static_cast<size_t>(groups[0].data() - text.data()) > w.hi) break;
          if (skipped) pass_match();
          else on_match();
          from = pos;
        }
      }
    } else {
      while (pos <= text.size() && next_match(pos, text.size())) {
        if (skipped) pass_match();
        else on_match();
      }
    }
  }
  for (uint32_t ri : running) run[ri] = 0;
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
