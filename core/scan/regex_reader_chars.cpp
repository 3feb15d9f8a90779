// The RE2 syntax reader (regex_reader.hpp): single items (groups, literals, escapes, character
// classes).
#include <algorithm>

#include "core/scan/regex_reader.hpp"

namespace gw::scan::regex_reader {

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

std::optional<Info> Reader::primary(bool fold, bool dotnl, int depth) {
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

void Reader::add_char(CharSet& cs, unsigned c, bool fold) {
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
bool Reader::escape(CharSet& cs, bool fold, int* single) {
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

std::optional<Info> Reader::char_class(bool fold) {
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

}  // namespace gw::scan::regex_reader
