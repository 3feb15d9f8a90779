// Structural splitting of a JSON document into unvalidated top-level values (see json_split.hpp).
#include "core/json/json_split.hpp"

#include "core/json/byte_find.hpp"

namespace gw::json {
namespace {

inline bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

bool type_of(char c, Type& t) {
  switch (c) {
    case '{': t = Type::object; return true;
    case '[': t = Type::array; return true;
    case '"': t = Type::string; return true;
    case 't': case 'f': t = Type::boolean; return true;
    case 'n': t = Type::null; return true;
    default:
      if (c == '-' || (c >= '0' && c <= '9')) return t = Type::number, true;
      return false;
  }
}

size_t skip_ws(std::string_view s, size_t i) {
  while (i < s.size() && is_ws(s[i])) ++i;
  return i;
}

// Just past the string whose opening quote is at i: the first '"' preceded by an even number of
// backslashes (each backslash run is counted once, so this stays linear). n + 1 if unterminated.
size_t skip_string(const char* p, size_t n, size_t i) {
  size_t j = i + 1;
  for (;;) {
    j = static_cast<size_t>(find_byte(p + j, p + n, '"') - p);
    if (j == n) return n + 1;
    size_t bs = 0;
    while (j - bs > i + 1 && p[j - bs - 1] == '\\') ++bs;
    if (bs % 2 == 0) return j + 1;
    ++j;
  }
}

}  // namespace

size_t skip_value(std::string_view doc, size_t pos) {
  const char* p = doc.data();
  const size_t n = doc.size();
  if (pos >= n) return n + 1;
  char c = p[pos];
  if (c == '"') return skip_string(p, n, pos);
  if (c != '{' && c != '[') {
    size_t i = pos;
    while (i < n && !is_ws(p[i]) && p[i] != ',' && p[i] != ']' && p[i] != '}' && p[i] != ':') ++i;
    return i;
  }
  size_t depth = 0;
  for (size_t i = pos; i < n;) {
    c = p[i];
    if (c == '"') {
      i = skip_string(p, n, i);
      if (i > n) return n + 1;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
    ++i;
  }
  return n + 1;
}

bool split_object(std::string_view doc, std::vector<RawMember>& out) {
  out.clear();
  size_t i = skip_ws(doc, 0);
  if (i >= doc.size() || doc[i] != '{') return false;
  i = skip_ws(doc, i + 1);
  if (i < doc.size() && doc[i] == '}') return skip_ws(doc, i + 1) == doc.size();
  for (;;) {
    if (i >= doc.size() || doc[i] != '"') return false;
    size_t key_end = skip_string(doc.data(), doc.size(), i);
    if (key_end > doc.size() || !validate(doc.substr(i, key_end - i))) return false;
    RawMember m;
    m.key = doc.substr(i + 1, key_end - i - 2);
    m.key_escapes = m.key.find('\\') != std::string_view::npos;
    i = skip_ws(doc, key_end);
    if (i >= doc.size() || doc[i] != ':') return false;
    i = skip_ws(doc, i + 1);
    if (i >= doc.size() || !type_of(doc[i], m.type)) return false;
    size_t end = skip_value(doc, i);
    if (end > doc.size() || end == i) return false;
    m.raw = doc.substr(i, end - i);
    m.offset = i;
    out.push_back(m);
    i = skip_ws(doc, end);
    if (i >= doc.size()) return false;
    if (doc[i] == '}') return skip_ws(doc, i + 1) == doc.size();
    if (doc[i] != ',') return false;
    i = skip_ws(doc, i + 1);
  }
}

bool split_array(std::string_view raw, std::vector<Element>& out) {
  out.clear();
  size_t i = skip_ws(raw, 0);
  if (i >= raw.size() || raw[i] != '[') return false;
  i = skip_ws(raw, i + 1);
  if (i < raw.size() && raw[i] == ']') return skip_ws(raw, i + 1) == raw.size();
  for (;;) {
    Element e;
    if (i >= raw.size() || !type_of(raw[i], e.type)) return false;
    size_t end = skip_value(raw, i);
    if (end > raw.size() || end == i) return false;
    e.raw = raw.substr(i, end - i);
    e.offset = i;
    out.push_back(e);
    i = skip_ws(raw, end);
    if (i >= raw.size()) return false;
    if (raw[i] == ']') return skip_ws(raw, i + 1) == raw.size();
    if (raw[i] != ',') return false;
    i = skip_ws(raw, i + 1);
  }
}

}  // namespace gw::json
