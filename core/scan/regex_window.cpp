// A small recursive-descent reader of RE2 syntax computing, per sub-expression, the facts a
// WindowPlan needs. Conservative everywhere: a bound may be larger than the truth, an atom set
// may be missing, never the other way round.
#include "core/scan/regex_window.hpp"

#include <algorithm>
#include <bitset>
#include <optional>

namespace gw::scan {
namespace {

constexpr size_t k_inf = WindowPlan::k_unbounded;
constexpr size_t k_max_set = 64;      // most strings in an exact or atom set
constexpr size_t k_max_str = 64;      // longest string in an exact set
constexpr size_t k_max_class = 8;     // a class of at most this many (folded) chars stays exact
constexpr size_t k_len_cap = 1 << 16; // bounds beyond this are treated as unbounded
constexpr int k_max_depth = 200;

using Set = std::vector<std::string>;

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

// A requirement is better when its shortest atom is longer (fewer spurious hits), then smaller.
bool better(const Set& a, const std::optional<Set>& b) {
  if (!b) return true;
  size_t ma = min_size(a), mb = min_size(*b);
  return ma != mb ? ma > mb : a.size() < b->size();
}

struct Info {
  size_t max_len = 0;
  size_t min_len = 0;
  std::bitset<256> chars;   // every byte some match may contain (a superset)
  bool assertion = false;   // holds an empty-width assertion (^ $ \b \B \A \z)
  bool nl_any = false;      // some match contains '\n'
  bool nl_nonlast = false;  // some match contains '\n' before its last byte
  std::optional<Set> exact; // every match case-folds to one of these (lowercase)
  std::optional<Set> atoms; // every match contains one of these (non-empty strings)

  std::optional<Set> requirement() const {
    if (exact && !exact->empty() && min_size(*exact) > 0) return exact;
    return atoms;
  }
  static Info empty_width() {
    Info i;
    i.exact = Set{""};
    return i;
  }
};

struct CharSet {
  std::bitset<128> ascii;
  bool non_ascii = false;
};

Info from_charset(const CharSet& cs) {
  Info i;
  i.max_len = cs.non_ascii ? 4 : 1;
  i.min_len = 1;
  for (size_t c = 0; c < 128; ++c) i.chars[c] = cs.ascii[c];
  if (cs.non_ascii)
    for (size_t c = 128; c < 256; ++c) i.chars[c] = true;
  i.nl_any = cs.ascii['\n'];
  if (!cs.non_ascii) {
    Set s;
    for (int c = 0; c < 128; ++c)
      if (cs.ascii[static_cast<size_t>(c)]) s.emplace_back(1, static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    normalise(s);
    if (!s.empty() && s.size() <= k_max_class) i.exact = std::move(s);
  }
  return i;
}

class Reader {
public:
  explicit Reader(std::string_view p) : m_p(p) {}

  std::optional<Info> run() {
    auto r = alternation(false, false, 0);
    if (!r || m_i != m_p.size()) return std::nullopt;
    return r;
  }
  // Capturing groups in RE2's numbering (index 0 unused), valid after a successful run().
  const std::vector<GroupFacts>& groups() const { return m_groups; }

private:
  bool at_end() const { return m_i >= m_p.size(); }
  char peek() const { return m_p[m_i]; }

  // alternation := concat ('|' concat)*; stops at ')' or the end.
  std::optional<Info> alternation(bool fold, bool dotnl, int depth) {
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
  std::optional<Info> concat(bool& fold, bool& dotnl, int depth) {
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

  static Info combine(const std::vector<Info>& items) {
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

  std::optional<Info> repeat(bool fold, bool dotnl, int depth) {
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
  std::optional<std::pair<size_t, size_t>> counted() {
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

  static Info repeated(const Info& c, size_t lo, size_t hi) {
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

  std::optional<Info> primary(bool fold, bool dotnl, int depth) {
    char c = m_p[m_i];
    if (c == '(') {
      ++m_i;
      bool f = fold, s = dotnl;
      std::optional<size_t> group;
      if (at_end() || peek() != '?') {
        group = m_groups.size();
        m_groups.emplace_back();
      }
      if (!at_end() && peek() == '?') {
        ++m_i;
        if (m_p.substr(m_i, 2) == "P<" || (!at_end() && peek() == '<')) {
          size_t close = m_p.find('>', m_i);
          if (close == std::string_view::npos) return std::nullopt;
          m_i = close + 1;
          group = m_groups.size();
          m_groups.emplace_back();
        } else {
          bool neg = false;
          while (!at_end() && peek() != ':') {
            char g = m_p[m_i++];
            if (g == '-') neg = true;
            else if (g == 'i') f = !neg;
            else if (g == 's') s = !neg;
            else if (g != 'm' && g != 'U') return std::nullopt;
          }
          if (at_end()) return std::nullopt;
          ++m_i;  // ':'
        }
      }
      auto inner = alternation(f, s, depth + 1);
      if (!inner || at_end() || peek() != ')') return std::nullopt;
      ++m_i;
      if (group) {
        m_groups[*group].chars = inner->chars;
        m_groups[*group].min_len = inner->min_len;
      }
      return inner;
    }
    if (c == '[') return char_class(fold);
    if (c == '.') {
      ++m_i;
      CharSet cs;
      cs.ascii.set();
      cs.ascii['\n'] = dotnl;
      cs.non_ascii = true;
      return from_charset(cs);
    }
    if (c == '^' || c == '$') {
      ++m_i;
      Info i = Info::empty_width();
      i.assertion = true;
      return i;
    }
    if (c == '\\') {
      if (m_i + 1 < m_p.size()) {
        char e = m_p[m_i + 1];
        if (e == 'b' || e == 'B' || e == 'A' || e == 'z') {
          m_i += 2;
          Info i = Info::empty_width();
          i.assertion = true;
          return i;
        }
      }
      CharSet cs;
      if (!escape(cs, fold)) return std::nullopt;
      return from_charset(cs);
    }
    if (c == '*' || c == '+' || c == '?') return std::nullopt;
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      // A literal non-ASCII character: up to 4 bytes, no exact set (folding is not ASCII).
      ++m_i;
      while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) ++m_i;
      CharSet cs;
      cs.non_ascii = true;
      return from_charset(cs);
    }
    ++m_i;
    CharSet cs;
    add_char(cs, u, fold);
    return from_charset(cs);
  }

  static void add_char(CharSet& cs, unsigned c, bool fold) {
    if (c >= 128) {
      cs.non_ascii = true;
      return;
    }
    cs.ascii[c] = true;
    if (fold && c >= 'a' && c <= 'z') cs.ascii[c - 32] = true;
    if (fold && c >= 'A' && c <= 'Z') cs.ascii[c + 32] = true;
  }

  // One escape at m_i ('\\'), outside or inside a class, as a set of chars; false if unknown.
  // `single` receives the code point for escapes that denote one char (for class ranges).
  bool escape(CharSet& cs, bool fold, int* single = nullptr) {
    if (m_i + 1 >= m_p.size()) return false;
    char e = m_p[m_i + 1];
    m_i += 2;
    auto range = [&](unsigned a, unsigned b) {
      for (unsigned x = a; x <= b; ++x) cs.ascii[x] = true;
    };
    auto negate = [&](CharSet& s) {
      s.ascii.flip();
      s.non_ascii = true;
    };
    CharSet sub;
    switch (e) {
      case 'd': range('0', '9'); return true;
      case 'w': range('0', '9'), range('a', 'z'), range('A', 'Z'), cs.ascii['_'] = true; return true;
      case 's': for (char x : {'\t', '\n', '\f', '\r', ' '}) cs.ascii[static_cast<size_t>(x)] = true; return true;
      case 'D': case 'W': case 'S': {
        if (e == 'D') for (unsigned x = '0'; x <= '9'; ++x) sub.ascii[x] = true;
        if (e == 'W') {
          for (unsigned x = '0'; x <= '9'; ++x) sub.ascii[x] = true;
          for (unsigned x = 'a'; x <= 'z'; ++x) sub.ascii[x] = sub.ascii[x - 32] = true;
          sub.ascii['_'] = true;
        }
        if (e == 'S') for (char x : {'\t', '\n', '\f', '\r', ' '}) sub.ascii[static_cast<size_t>(x)] = true;
        negate(sub);
        cs.ascii |= sub.ascii;
        cs.non_ascii = true;
        return true;
      }
      case 'p': case 'P':
        // Unicode classes: anything, conservatively (may include '\n' for \pC / \PL ...).
        if (m_i < m_p.size() && m_p[m_i] == '{') {
          size_t close = m_p.find('}', m_i);
          if (close == std::string_view::npos) return false;
          m_i = close + 1;
        } else if (m_i < m_p.size()) {
          ++m_i;
        } else {
          return false;
        }
        cs.ascii.set();
        cs.non_ascii = true;
        return true;
      case 'x': {
        unsigned v = 0;
        auto hex = [](char h) -> int {
          if (h >= '0' && h <= '9') return h - '0';
          if (h >= 'a' && h <= 'f') return h - 'a' + 10;
          if (h >= 'A' && h <= 'F') return h - 'A' + 10;
          return -1;
        };
        if (m_i < m_p.size() && m_p[m_i] == '{') {
          size_t close = m_p.find('}', m_i);
          if (close == std::string_view::npos || close - m_i > 7) return false;
          for (size_t k = m_i + 1; k < close; ++k) {
            int h = hex(m_p[k]);
            if (h < 0) return false;
            v = v * 16 + static_cast<unsigned>(h);
          }
          m_i = close + 1;
        } else {
          if (m_i + 2 > m_p.size() || hex(m_p[m_i]) < 0 || hex(m_p[m_i + 1]) < 0) return false;
          v = static_cast<unsigned>(hex(m_p[m_i]) * 16 + hex(m_p[m_i + 1]));
          m_i += 2;
        }
        if (single) *single = static_cast<int>(v);
        add_char(cs, v, fold);
        return true;
      }
      case 'n': case 't': case 'r': case 'f': case 'v': case 'a': {
        unsigned v = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'f' ? '\f' : e == 'v' ? '\v' : '\a';
        if (single) *single = static_cast<int>(v);
        add_char(cs, v, fold);
        return true;
      }
      default:
        // Escaped punctuation is itself; letters, digits (octal, backreferences), \Q, \C: unknown.
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9') ||
            static_cast<unsigned char>(e) >= 0x80)
          return false;
        if (single) *single = static_cast<unsigned char>(e);
        add_char(cs, static_cast<unsigned char>(e), fold);
        return true;
    }
  }

  std::optional<Info> char_class(bool fold) {
    ++m_i;  // '['
    CharSet cs;
    bool neg = false;
    if (!at_end() && peek() == '^') neg = true, ++m_i;
    bool first = true;
    for (;;) {
      if (at_end()) return std::nullopt;
      char c = peek();
      if (c == ']' && !first) {
        ++m_i;
        break;
      }
      first = false;
      if (c == '[' && m_p.substr(m_i, 2) == "[:") return std::nullopt;  // POSIX classes: unknown
      int lo = -1;
      if (c == '\\') {
        int single = -1;
        if (!escape(cs, fold, &single)) return std::nullopt;
        lo = single;
      } else {
        auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) {
          ++m_i;
          while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) ++m_i;
          cs.non_ascii = true;
          continue;
        }
        ++m_i;
        lo = u;
        add_char(cs, u, fold);
      }
      // A range "a-z": the '-' is a range only between two single chars, not before ']'.
      if (lo >= 0 && m_i + 1 < m_p.size() && peek() == '-' && m_p[m_i + 1] != ']') {
        ++m_i;
        int hi = -1;
        if (peek() == '\\') {
          CharSet tmp;
          if (!escape(tmp, fold, &hi) || hi < 0) return std::nullopt;
        } else {
          auto u = static_cast<unsigned char>(peek());
          if (u >= 0x80) {
            ++m_i;
            while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) ++m_i;
            hi = 0x10FFFF;
          } else {
            ++m_i;
            hi = u;
          }
        }
        if (hi < lo) return std::nullopt;
        for (int x = lo; x <= hi && x < 128; ++x) add_char(cs, static_cast<unsigned>(x), fold);
        if (hi >= 128) cs.non_ascii = true;
      }
    }
    if (neg) {
      cs.ascii.flip();
      cs.non_ascii = true;
    }
    return from_charset(cs);
  }

  std::string_view m_p;
  size_t m_i = 0;
  std::vector<GroupFacts> m_groups = std::vector<GroupFacts>(1);
};

}  // namespace

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
