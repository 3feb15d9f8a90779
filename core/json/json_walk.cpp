// The iterative parser behind validate(), walk() and top_level_members(). One template, three
// sinks, so the validating-only path pays for no callbacks.
#include "core/json/json_walk.hpp"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gw::json {
namespace {

inline bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Length of the valid UTF-8 sequence starting at p (first byte >= 0x80), or 0 if invalid.
inline size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
  unsigned char c = p[0];
  auto cont = [&](size_t i, unsigned char lo, unsigned char hi) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3)
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

// Sinks: what the parser tells its caller. Each has the same members; `k_paths` says whether the
// parser must maintain the path at all.
struct NullSink {
  static constexpr bool k_paths = false;
  static constexpr bool k_members = false;
  void string_value(const Path&, const StringToken&) {}
  void key(const Path&, const StringToken&) {}
  bool enter(const Path&, Type) { return true; }
  void member(const StringToken&, Type, size_t, size_t) {}
};

struct VisitorSink {
  static constexpr bool k_paths = true;
  static constexpr bool k_members = false;
  Visitor& v;
  bool keys;
  void string_value(const Path& p, const StringToken& t) { v.on_string(p, t); }
  void key(const Path& p, const StringToken& t) {
    if (keys) v.on_key(p, t);
  }
  bool enter(const Path& p, Type t) { return v.enter(p, t); }
  void member(const StringToken&, Type, size_t, size_t) {}
};

struct MemberSink {
  static constexpr bool k_paths = false;
  static constexpr bool k_members = true;
  std::string_view doc;
  TopLevel& out;
  void string_value(const Path&, const StringToken&) {}
  void key(const Path&, const StringToken&) {}
  bool enter(const Path&, Type) { return true; }
  void member(const StringToken& k, Type t, size_t begin, size_t end) {
    out.members.push_back(Member{k.has_escapes ? decode_string(k.raw) : std::string(k.raw), t,
                                 doc.substr(begin, end - begin), begin});
  }
};

struct ElementSink {
  static constexpr bool k_paths = false;
  static constexpr bool k_members = true;
  std::string_view doc;
  std::vector<Element>& out;
  void string_value(const Path&, const StringToken&) {}
  void key(const Path&, const StringToken&) {}
  bool enter(const Path&, Type) { return true; }
  void member(const StringToken&, Type t, size_t begin, size_t end) {
    out.push_back(Element{t, doc.substr(begin, end - begin), begin});
  }
};

struct Frame {
  bool is_object;
  bool skipping;  // inside a subtree the visitor declined
};

template <class Sink>
class Parser {
public:
  Parser(std::string_view doc, size_t max_depth, Sink& sink)
      : m_begin(doc.data()), m_p(doc.data()), m_end(doc.data() + doc.size()),
        m_max_depth(max_depth), m_sink(sink) {}

  // required: 0, or '{' / '[' when the document must be an object / array.
  gw::Status run(char required) {
    skip_ws();
    if (m_p == m_end) return error("expected a JSON value, found end of input");
    if (required == '{' && *m_p != '{') return error("expected '{' (the document must be an object)");
    if (required == '[' && *m_p != '[') return error("expected '[' (the document must be an array)");
    for (;;) {
      // At the start of a value.
      if (m_p == m_end) return error("expected a value, found end of input");
      bool at_member = Sink::k_members && m_stack.size() == 1;
      const char* value_begin = m_p;
      Type type;
      char c = *m_p;
      if (c == '{' || c == '[') {
        type = c == '{' ? Type::object : Type::array;
        if (m_stack.size() >= m_max_depth)
          return error("nesting deeper than " + std::to_string(m_max_depth) + " levels");
        bool skipping = !m_stack.empty() && m_stack.back().skipping;
        if constexpr (Sink::k_paths) {
          if (!skipping) skipping = !m_sink.enter(m_path, type);
          m_path.push_back(PathSegment{{}, 0, type == Type::array});
        }
        m_stack.push_back(Frame{type == Type::object, skipping});
        if (at_member) {
          // A container member's end is known only when it closes; see pop().
          m_member_type = type;
          m_member_begin = value_begin;
        }
        ++m_p;
        skip_ws();
        char close = type == Type::object ? '}' : ']';
        if (m_p < m_end && *m_p == close) {
          ++m_p;
          pop();
        } else if (type == Type::object) {
          GW_CHECK(object_key(false));
          continue;
        } else {
          continue;
        }
      } else if (c == '"') {
        type = Type::string;
        StringToken tok;
        GW_CHECK(string(tok));
        if constexpr (Sink::k_paths) {
          if (m_stack.empty() || !m_stack.back().skipping) m_sink.string_value(m_path, tok);
        }
      } else if (c == 't' || c == 'f' || c == 'n') {
        type = c == 'n' ? Type::null : Type::boolean;
        const char* word = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t n = std::strlen(word);
        if (static_cast<size_t>(m_end - m_p) < n || std::memcmp(m_p, word, n) != 0)
          return error(std::string("invalid literal (expected '") + word + "')");
        m_p += n;
      } else if (c == '-' || is_digit(c)) {
        type = Type::number;
        GW_CHECK(number());
      } else {
        return error("expected a value (object, array, string, number, true, false or null)");
      }
      if (at_member && type != Type::object && type != Type::array)
        m_sink.member(m_key, type, value_begin - m_begin, m_p - m_begin);

      // After a complete value: close containers and find the next value.
      for (;;) {
        if (m_stack.empty()) {
          skip_ws();
          if (m_p != m_end) return error("unexpected data after the JSON value");
          return {};
        }
        skip_ws();
        if (m_p == m_end) return error(m_stack.back().is_object ? "expected ',' or '}', found end of input"
                                                                : "expected ',' or ']', found end of input");
        char d = *m_p;
        if (m_stack.back().is_object) {
          if (d == ',') {
            ++m_p;
            skip_ws();
            GW_CHECK(object_key(true));
            break;
          }
          if (d != '}') return error("expected ',' or '}'");
        } else {
          if (d == ',') {
            ++m_p;
            skip_ws();
            if constexpr (Sink::k_paths) ++m_path.back().index;
            break;
          }
          if (d != ']') return error("expected ',' or ']'");
        }
        ++m_p;
        pop();
      }
    }
  }

private:
  void pop() {
    m_stack.pop_back();
    if constexpr (Sink::k_paths) m_path.pop_back();
    if constexpr (Sink::k_members) {
      if (m_stack.size() == 1) {
        m_sink.member(m_key, m_member_type, m_member_begin - m_begin, m_p - m_begin);
      }
    }
  }

  // At '"' of a key (after '{' or ','): parses `"key" :` and leaves m_p at the value.
  gw::Status object_key(bool after_comma) {
    if (m_p == m_end || *m_p != '"')
      return error(after_comma ? "expected a string key after ','" : "expected a string key or '}'");
    StringToken tok;
    GW_CHECK(string(tok));
    if constexpr (Sink::k_paths) {
      m_path.back().key = tok.raw;
      if (!m_stack.back().skipping) {
        // The key belongs to the object: report it with the object's own path.
        PathSegment saved = m_path.back();
        m_path.pop_back();
        m_sink.key(m_path, tok);
        m_path.push_back(saved);
      }
    }
    if constexpr (Sink::k_members) {
      if (m_stack.size() == 1) m_key = tok;
    }
    skip_ws();
    if (m_p == m_end || *m_p != ':') return error("expected ':' after an object key");
    ++m_p;
    skip_ws();
    return {};
  }

  gw::Status string(StringToken& tok) {
    ++m_p;  // opening quote
    const char* start = m_p;
    bool escapes = false;
    for (;;) {
#if defined(__SSE2__)
      const __m128i quote = _mm_set1_epi8('"');
      const __m128i bslash = _mm_set1_epi8('\\');
      const __m128i space = _mm_set1_epi8(0x20);
      while (m_end - m_p >= 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m_p));
        // Signed compare: bytes >= 0x80 are negative, so "< 0x20" also flags non-ASCII bytes.
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                       _mm_cmplt_epi8(v, space));
        int mask = _mm_movemask_epi8(special);
        if (mask != 0) {
          m_p += __builtin_ctz(static_cast<unsigned>(mask));
          break;
        }
        m_p += 16;
      }
#endif
      if (m_p == m_end) return error_at(start - 1, "unterminated string");
      unsigned char c = static_cast<unsigned char>(*m_p);
      if (c == '"') break;
      if (c == '\\') {
        escapes = true;
        if (m_end - m_p < 2) return error("unterminated escape sequence");
        char e = m_p[1];
        if (e == 'u') {
          if (m_end - m_p < 6 || !is_hex(m_p[2]) || !is_hex(m_p[3]) || !is_hex(m_p[4]) || !is_hex(m_p[5]))
            return error("invalid \\u escape (expected 4 hex digits)");
          m_p += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                   e == 'r' || e == 't') {
          m_p += 2;
        } else {
          return error("invalid escape sequence in string");
        }
      } else if (c < 0x20) {
        return error("unescaped control character in string");
      } else if (c >= 0x80) {
        size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(m_p),
                                 reinterpret_cast<const unsigned char*>(m_end));
        if (n == 0) return error("invalid UTF-8 in string");
        m_p += n;
      } else {
        ++m_p;
      }
    }
    tok.raw = std::string_view(start, m_p - start);
    tok.offset = start - m_begin;
    tok.has_escapes = escapes;
    ++m_p;  // closing quote
    return {};
  }

  gw::Status number() {
    if (*m_p == '-') ++m_p;
    if (m_p == m_end || !is_digit(*m_p)) return error("invalid number (expected a digit)");
    if (*m_p == '0') {
      ++m_p;
    } else {
      while (m_p < m_end && is_digit(*m_p)) ++m_p;
    }
    if (m_p < m_end && *m_p == '.') {
      ++m_p;
      if (m_p == m_end || !is_digit(*m_p)) return error("invalid number (expected a digit after '.')");
      while (m_p < m_end && is_digit(*m_p)) ++m_p;
    }
    if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
      ++m_p;
      if (m_p < m_end && (*m_p == '+' || *m_p == '-')) ++m_p;
      if (m_p == m_end || !is_digit(*m_p)) return error("invalid number (expected a digit in the exponent)");
      while (m_p < m_end && is_digit(*m_p)) ++m_p;
    }
    return {};
  }

  void skip_ws() {
    while (m_p < m_end && is_ws(*m_p)) ++m_p;
  }

  std::unexpected<gw::Error> error(const std::string& what) const { return error_at(m_p, what); }
  std::unexpected<gw::Error> error_at(const char* at, const std::string& what) const {
    return gw::fail(gw::Errc::invalid_argument,
                    "invalid JSON at byte " + std::to_string(at - m_begin) + ": " + what);
  }

  const char* m_begin;
  const char* m_p;
  const char* m_end;
  size_t m_max_depth;
  Sink& m_sink;
  std::vector<Frame> m_stack;
  Path m_path;
  // Top-level member bookkeeping (MemberSink only).
  StringToken m_key;
  Type m_member_type = Type::null;
  const char* m_member_begin = nullptr;
};

}  // namespace

gw::Status validate(std::string_view doc, size_t max_depth) {
  NullSink sink;
  return Parser<NullSink>(doc, max_depth, sink).run(0);
}

gw::Status walk(std::string_view doc, Visitor& visitor, size_t max_depth) {
  VisitorSink sink{visitor, visitor.wants_keys()};
  return Parser<VisitorSink>(doc, max_depth, sink).run(0);
}

gw::Result<TopLevel> top_level_members(std::string_view doc, size_t max_depth) {
  TopLevel out;
  MemberSink sink{doc, out};
  GW_CHECK(Parser<MemberSink>(doc, max_depth, sink).run('{'));
  return out;
}

gw::Result<std::vector<Element>> array_elements(std::string_view doc, size_t max_depth) {
  std::vector<Element> out;
  ElementSink sink{doc, out};
  GW_CHECK(Parser<ElementSink>(doc, max_depth, sink).run('['));
  return out;
}

}  // namespace gw::json
