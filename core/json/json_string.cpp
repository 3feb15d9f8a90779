// String decoding/encoding, paths and top-level member lookups for the JSON walker.
#include <charconv>
#include <cstring>

#include "core/json/byte_find.hpp"
#include "core/json/json_walk.hpp"

namespace gw::json {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads 4 hex digits at raw[i..i+4); -1 when they are not there.
long read_hex4(std::string_view raw, size_t i) {
  if (i + 4 > raw.size()) return -1;
  long v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = hex_value(raw[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

// Writes the UTF-8 of cp at w; returns the end.
char* put_utf8(char* w, uint32_t cp) {
  if (cp < 0x80) {
    *w++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *w++ = static_cast<char>(0xC0 | (cp >> 6));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *w++ = static_cast<char>(0xE0 | (cp >> 12));
    *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *w++ = static_cast<char>(0xF0 | (cp >> 18));
    *w++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
  return w;
}

// Decodes the escape at raw[i] (a backslash) to w; returns the end of the output and advances i
// past the escape. A trailing lone backslash is copied as is.
char* decode_escape(std::string_view raw, size_t& i, char* w) {
  if (i + 1 >= raw.size()) {
    *w++ = raw[i++];
    return w;
  }
  char e = raw[i + 1];
  i += 2;
  switch (e) {
    case 'b': *w++ = '\b'; return w;
    case 'f': *w++ = '\f'; return w;
    case 'n': *w++ = '\n'; return w;
    case 'r': *w++ = '\r'; return w;
    case 't': *w++ = '\t'; return w;
    case 'u': break;
    default: *w++ = e; return w;  // '"', '\\', '/'
  }
  long cp = read_hex4(raw, i);
  if (cp < 0) return put_utf8(w, 0xFFFD);
  i += 4;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    long lo = -1;
    if (i + 6 <= raw.size() && raw[i] == '\\' && raw[i + 1] == 'u') lo = read_hex4(raw, i + 2);
    if (lo >= 0xDC00 && lo <= 0xDFFF) {
      i += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    } else {
      cp = 0xFFFD;
    }
  } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
    cp = 0xFFFD;
  }
  return put_utf8(w, static_cast<uint32_t>(cp));
}

// Decodes raw into out (replacing its contents); when offsets is given, records for each output
// byte the raw offset of the input that produced it. Written in place into a buffer of the
// largest possible size (1.5 x raw: an invalid "\\u" becomes the 3 bytes of U+FFFD; every
// valid escape shrinks), without zero-filling it first.
void decode_into(std::string_view raw, std::string& out, std::vector<uint32_t>* offsets) {
  out.clear();
  out.resize_and_overwrite(raw.size() + raw.size() / 2 + 4, [&](char* base, size_t) {
    char* w = base;
    const char* const end = raw.data() + raw.size();
    size_t i = 0;
    while (i < raw.size()) {
      // Copy the run up to the next backslash in one go.
      const size_t run_end = static_cast<size_t>(find_byte(raw.data() + i, end, '\\') - raw.data());
      if (run_end > i) {
        std::memcpy(w, raw.data() + i, run_end - i);
        w += run_end - i;
        if (offsets)
          for (size_t k = i; k < run_end; ++k) offsets->push_back(static_cast<uint32_t>(k));
        i = run_end;
        if (i == raw.size()) break;
      }
      const size_t start = i;
      char* const before = w;
      w = decode_escape(raw, i, w);
      if (offsets) offsets->insert(offsets->end(), static_cast<size_t>(w - before), static_cast<uint32_t>(start));
    }
    return static_cast<size_t>(w - base);
  });
}

}  // namespace

std::string_view type_name(Type t) {
  switch (t) {
    case Type::string: return "string";
    case Type::number: return "number";
    case Type::boolean: return "boolean";
    case Type::null: return "null";
    case Type::object: return "object";
    case Type::array: return "array";
  }
  return "?";
}

std::string decode_string(std::string_view raw) {
  std::string out;
  decode_into(raw, out, nullptr);
  return out;
}

DecodedString::DecodedString(std::string_view raw) : m_raw(raw) { decode_into(raw, m_text, nullptr); }

void DecodedString::build_offsets() const {
  if (!m_offsets.empty()) return;
  std::string again;
  m_offsets.reserve(m_raw.size() + 1);
  decode_into(m_raw, again, &m_offsets);
  m_offsets.push_back(static_cast<uint32_t>(m_raw.size()));
}

size_t DecodedString::raw_offset(size_t i) const {
  build_offsets();
  return m_offsets[i < m_offsets.size() ? i : m_offsets.size() - 1];
}

std::pair<size_t, size_t> DecodedString::raw_span(size_t begin, size_t end) const {
  build_offsets();
  size_t last = m_offsets.size() - 1;  // index of the sentinel
  if (begin > last) begin = last;
  if (end > last) end = last;
  size_t first = m_offsets[begin];
  // Widen the end past every decoded byte that came from the same escape as byte end-1.
  while (end < last && end > begin && m_offsets[end] == m_offsets[end - 1]) ++end;
  return {first, m_offsets[end]};
}

std::string encode_string_contents(std::string_view utf8) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(utf8.size() + 8);
  for (char ch : utf8) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(k_hex[c >> 4]);
          out.push_back(k_hex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  return out;
}

std::string encode_string(std::string_view utf8) {
  return "\"" + encode_string_contents(utf8) + "\"";
}

namespace {
std::string segment_key(const PathSegment& s) {
  return s.key.find('\\') == std::string_view::npos ? std::string(s.key) : decode_string(s.key);
}
}  // namespace

std::string to_pointer(const Path& path) {
  std::string out;
  for (const auto& s : path) {
    out.push_back('/');
    if (s.is_index) {
      out += std::to_string(s.index);
      continue;
    }
    for (char c : segment_key(s)) {
      if (c == '~') out += "~0";
      else if (c == '/') out += "~1";
      else out.push_back(c);
    }
  }
  return out;
}

std::string to_display(const Path& path) {
  std::string out;
  for (const auto& s : path) {
    if (s.is_index) {
      out += "[" + std::to_string(s.index) + "]";
    } else {
      if (!out.empty()) out.push_back('.');
      out += segment_key(s);
    }
  }
  return out;
}

const Member* TopLevel::find(std::string_view key) const {
  for (auto it = members.rbegin(); it != members.rend(); ++it)
    if (it->key == key) return &*it;
  return nullptr;
}

std::optional<std::string> TopLevel::string(std::string_view key) const {
  const Member* m = find(key);
  if (!m || m->type != Type::string) return std::nullopt;
  return decode_string(m->raw.substr(1, m->raw.size() - 2));
}

std::optional<bool> TopLevel::boolean(std::string_view key) const {
  const Member* m = find(key);
  if (!m || m->type != Type::boolean) return std::nullopt;
  return m->raw == "true";
}

std::optional<int64_t> TopLevel::integer(std::string_view key) const {
  const Member* m = find(key);
  if (!m || m->type != Type::number) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(m->raw.data(), m->raw.data() + m->raw.size(), v);
  if (ec != std::errc() || ptr != m->raw.data() + m->raw.size()) return std::nullopt;
  return v;
}

std::optional<std::string_view> TopLevel::raw(std::string_view key) const {
  const Member* m = find(key);
  if (!m) return std::nullopt;
  return m->raw;
}

}  // namespace gw::json
