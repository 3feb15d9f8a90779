// The RE2 syntax reader (regex_reader.hpp): sets and lengths, alternation, concatenation and
// repetition.
#include <algorithm>

#include "core/scan/regex_reader.hpp"

namespace gw::scan::regex_reader {

size_t add_len(size_t a, size_t b) { return a == k_inf || b == k_inf || a + b > k_len_cap ? k_inf : a + b; }
size_t mul_len(size_t a, size_t n) {
  if (a == 0 || n == 0) return 0;
  if (a == k_inf || n == k_inf || a * n > k_len_cap) return k_inf;
  return a * n;
}

void normalise(Set& s) {
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
}

std::optional<Set> product(const Set& a, const Set& b) {
  if (a.size() * b.size() > k_max_set) return std::nullopt;
  Set out;
  for (const auto& x : a)
    for (const auto& y : b) {
      if (x.size() + y.size() > k_max_str) return std::nullopt;
      out.push_back(x + y);
    }
  normalise(out);
  return out;
}

size_t min_size(const Set& s) {
  size_t m = k_inf;
  for (const auto& x : s) m = std::min(m, x.size());
  return m;
}

bool better(const Set& a, const std::optional<Set>& b) {
  if (!b) return true;
  size_t ma = min_size(a), mb = min_size(*b);
  return ma != mb ? ma > mb : a.size() < b->size();
}

std::optional<Info> Reader::run() {
  auto r = alternation(false, false, 0);
  if (!r || m_i != m_p.size()) return std::nullopt;
  return r;
}

// alternation := concat ('|' concat)*; stops at ')' or the end.
std::optional<Info> Reader::alternation(bool fold, bool dotnl, int depth) {
  if (depth > k_max_depth) return std::nullopt;
  // Flags set by a bare (?i) last until the group closes, across '|' (as in Go and RE2).
  std::vector<Info> branches;
  const size_t first_group = m_groups.size();
  for (;;) {
    auto b = concat(fold, dotnl, depth);
    if (!b) return std::nullopt;
    branches.push_back(std::move(*b));
    if (!at_end() && peek() == '|') {
      ++m_i;
      continue;
    }
    break;
  }
  if (branches.size() == 1) return branches[0];
  for (size_t g = first_group; g < m_groups.size(); ++g) m_groups[g].always = false;
  Info out;
  out.min_len = k_inf;
  out.exact = Set{};
  out.atoms = Set{};
  for (const auto& b : branches) {
    out.max_len = out.max_len == k_inf || b.max_len == k_inf ? k_inf : std::max(out.max_len, b.max_len);
    out.nl_any |= b.nl_any;
    out.nl_nonlast |= b.nl_nonlast;
    out.min_len = std::min(out.min_len, b.min_len);
    out.chars |= b.chars;
    out.assertion |= b.assertion;
    if (out.exact && b.exact) out.exact->insert(out.exact->end(), b.exact->begin(), b.exact->end());
    else out.exact.reset();
    auto req = b.requirement();
    if (out.atoms && req) out.atoms->insert(out.atoms->end(), req->begin(), req->end());
    else out.atoms.reset();
  }
  if (out.exact) {
    normalise(*out.exact);
    if (out.exact->size() > k_max_set) out.exact.reset();
  }
  if (out.atoms) {
    normalise(*out.atoms);
    if (out.atoms->size() > k_max_set) out.atoms.reset();
  }
  return out;
}

// concat := repeat*. A bare flag group "(?i)" updates fold/dotnl for the rest of the group.
std::optional<Info> Reader::concat(bool& fold, bool& dotnl, int depth) {
  std::vector<Info> items;
  while (!at_end() && peek() != '|' && peek() != ')') {
    if (m_p.substr(m_i, 2) == "(?" && m_i + 2 < m_p.size()) {
      // A bare flag group "(?i)" changes the flags of what follows.
      size_t j = m_i + 2;
      bool neg = false, nf = fold, ns = dotnl, ok = true;
      while (j < m_p.size() && m_p[j] != ')' && m_p[j] != ':') {
        char c = m_p[j++];
        if (c == '-') neg = true;
        else if (c == 'i') nf = !neg;
        else if (c == 's') ns = !neg;
        else if (c != 'm' && c != 'U') ok = false;
      }
      if (ok && j < m_p.size() && m_p[j] == ')') {
        fold = nf;
        dotnl = ns;
        m_i = j + 1;
        continue;
      }
    }
    auto item = repeat(fold, dotnl, depth);
    if (!item) return std::nullopt;
    items.push_back(std::move(*item));
  }
  return combine(items);
}

Info Reader::combine(const std::vector<Info>& items) {
  Info out = Info::empty_width();
  std::optional<Set> best;
  std::optional<Set> run = Set{""};
  auto flush = [&] {
    if (run && !run->empty() && min_size(*run) > 0 && better(*run, best)) best = *run;
    run = Set{""};
  };
  for (size_t k = 0; k < items.size(); ++k) {
    const Info& it = items[k];
    if (it.nl_any && k + 1 < items.size()) {
      for (size_t j = k + 1; j < items.size(); ++j) out.nl_nonlast |= items[j].max_len > 0;
    }
    out.nl_any |= it.nl_any;
    out.nl_nonlast |= it.nl_nonlast;
    out.max_len = add_len(out.max_len, it.max_len);
    out.min_len = add_len(out.min_len, it.min_len);
    out.chars |= it.chars;
    out.assertion |= it.assertion;
    if (out.exact && it.exact) out.exact = product(*out.exact, *it.exact);
    else out.exact.reset();
    if (it.exact) {
      auto p = product(*run, *it.exact);
      if (!p) {
        flush();
        p = product(*run, *it.exact);
      }
      run = p;
    } else {
      flush();
    }
    if (auto req = it.requirement(); req && better(*req, best)) best = req;
  }
  flush();
  out.atoms = best;
  return out;
}

std::optional<Info> Reader::repeat(bool fold, bool dotnl, int depth) {
  const size_t first_group = m_groups.size();
  auto base = primary(fold, dotnl, depth);
  if (!base) return std::nullopt;
  Info info = std::move(*base);
  while (!at_end()) {
    size_t lo = 0, hi = 0;
    char c = peek();
    if (c == '*') lo = 0, hi = k_inf, ++m_i;
    else if (c == '+') lo = 1, hi = k_inf, ++m_i;
    else if (c == '?') lo = 0, hi = 1, ++m_i;
    else if (c == '{') {
      auto r = counted();
      if (!r) break;  // a '{' that is not a repetition is a literal: left for primary()
      lo = r->first, hi = r->second;
    } else {
      break;
    }
    if (!at_end() && peek() == '?') ++m_i;  // non-greedy: same language
    if (lo == 0)  // the groups inside may not take part in a match
      for (size_t g = first_group; g < m_groups.size(); ++g) m_groups[g].always = false;
    info = repeated(info, lo, hi);
  }
  return info;
}

// {n}, {n,}, {n,m} at m_i; advances past it on success.
std::optional<std::pair<size_t, size_t>> Reader::counted() {
  size_t j = m_i + 1;
  auto number = [&](size_t& out) {
    size_t start = j;
    out = 0;
    while (j < m_p.size() && m_p[j] >= '0' && m_p[j] <= '9' && j - start < 5) out = out * 10 + static_cast<size_t>(m_p[j++] - '0');
    return j > start;
  };
  size_t lo = 0, hi = 0;
  if (!number(lo)) return std::nullopt;
  if (j < m_p.size() && m_p[j] == '}') {
    hi = lo;
  } else if (j < m_p.size() && m_p[j] == ',') {
    ++j;
    if (j < m_p.size() && m_p[j] == '}') hi = k_inf;
    else if (!number(hi)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (j >= m_p.size() || m_p[j] != '}') return std::nullopt;
  m_i = j + 1;
  return std::make_pair(lo, hi);
}

Info Reader::repeated(const Info& c, size_t lo, size_t hi) {
  Info out;
  out.max_len = hi == k_inf ? (c.max_len == 0 ? 0 : k_inf) : mul_len(c.max_len, hi);
  out.min_len = mul_len(c.min_len, lo);
  out.assertion = c.assertion;
  if (hi > 0) out.chars = c.chars;
  out.nl_any = c.nl_any && hi > 0;
  out.nl_nonlast = hi > 0 && (c.nl_nonlast || (c.nl_any && hi > 1 && c.max_len > 0));
  if (lo == 1 && hi == 1) out.exact = c.exact;
  else if (hi == 0) out.exact = Set{""};
  else if (lo == 0 && hi == 1 && c.exact) {
    out.exact = *c.exact;
    out.exact->push_back("");
    normalise(*out.exact);
  } else if (lo == hi && c.exact && lo <= 8) {
    std::optional<Set> p = Set{""};
    for (size_t k = 0; k < lo && p; ++k) p = product(*p, *c.exact);
    out.exact = p;
  }
  if (lo >= 1) out.atoms = c.requirement();
  return out;
}

}  // namespace gw::scan::regex_reader
