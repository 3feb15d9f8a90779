#pragma once
// A validating (RFC 8259), single-pass JSON walker that never builds a DOM.
//
// Used on every request body the sidecar forwards (up to tens of MiB), so it is written for hostile
// input: iterative (no recursion), with a nesting-depth limit, linear time, no allocation per value
// beyond the path vector. Strings are validated (escapes, control characters, UTF-8) but not
// decoded; callers decode only the strings they care about with decode_string().
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"

namespace gw::json {

inline constexpr size_t k_default_max_depth = 256;

enum class Type : uint8_t { string, number, boolean, null, object, array };
std::string_view type_name(Type t);

// Validates doc as one complete JSON text (surrounding whitespace allowed). On failure the
// message reads "invalid JSON at byte N: <what was expected>", N being a 0-based byte offset.
gw::Status validate(std::string_view doc, size_t max_depth = k_default_max_depth);

// One step of a path from the document root: an object key (raw, as written between the quotes,
// still escaped; views into the document) or an array index.
struct PathSegment {
  std::string_view key;  // empty and unused when is_index
  size_t index = 0;
  bool is_index = false;
};
using Path = std::vector<PathSegment>;

// RFC 6901 JSON pointer: "/messages/3/content/0/text" (keys decoded, '~' and '/' escaped).
std::string to_pointer(const Path& path);
// Human form for messages: "messages[3].content[0].text".
std::string to_display(const Path& path);

// A string as it appears in the document.
struct StringToken {
  std::string_view raw;  // between the quotes, still escaped
  size_t offset = 0;     // byte offset of raw.data() in the document (just after the opening quote)
  bool has_escapes = false;
};

// Callbacks for walk(). All views point into the document and are valid for the walk's duration;
// `path` is valid only during the call. Callbacks run in document order.
class Visitor {
public:
  virtual ~Visitor() = default;
  // A string value (not a key) at `path`.
  virtual void on_string(const Path& path, const StringToken& token) {}
  // An object key; `path` is the path of the object holding it. Called only if wants_keys().
  virtual void on_key(const Path& path, const StringToken& token) {}
  virtual bool wants_keys() const { return false; }
  // Called before descending into an object or array value at `path`. Returning false skips the
  // subtree: it is still validated, but no callback runs for anything inside it.
  virtual bool enter(const Path& path, Type type) { return true; }
};

// Validates doc and calls the visitor for every string in it. Returns the validation error, if
// any; callbacks may already have run for the part before the error.
gw::Status walk(std::string_view doc, Visitor& visitor, size_t max_depth = k_default_max_depth);

// One member of the top-level object.
struct Member {
  std::string key;        // decoded
  Type type = Type::null;
  std::string_view raw;   // the value's bytes exactly as in the document (strings with quotes)
  size_t offset = 0;      // byte offset of raw in the document
};

// The members of a top-level object, in document order. Lookups return the LAST member with a
// key (what most JSON parsers, and so the providers, do with duplicates).
struct TopLevel {
  std::vector<Member> members;

  const Member* find(std::string_view key) const;
  std::optional<std::string> string(std::string_view key) const;     // decoded; nullopt if not a string
  std::optional<bool> boolean(std::string_view key) const;
  std::optional<int64_t> integer(std::string_view key) const;        // integral numbers that fit
  std::optional<std::string_view> raw(std::string_view key) const;   // any type
};

// Validates the whole document, which must be an object, and lists its top-level members.
gw::Result<TopLevel> top_level_members(std::string_view doc,
                                       size_t max_depth = k_default_max_depth);

// One element of a top-level array.
struct Element {
  Type type = Type::null;
  std::string_view raw;  // the element's bytes exactly as in the document
  size_t offset = 0;     // byte offset of raw in the document
};

// Validates the whole document, which must be an array, and lists its elements.
gw::Result<std::vector<Element>> array_elements(std::string_view doc,
                                                size_t max_depth = k_default_max_depth);

// Decodes the contents of a validated JSON string (without quotes): every escape including
// \uXXXX surrogate pairs becomes UTF-8. Lone surrogates become U+FFFD.
std::string decode_string(std::string_view raw);

// A decoded string that remembers where each decoded byte came from in the raw form, so that a
// span found in decoded text can be mapped back to exactly the raw bytes that produced it.
// Not thread-safe (the map is built lazily); raw must outlive the object.
class DecodedString {
public:
  explicit DecodedString(std::string_view raw);
  const std::string& text() const { return m_text; }
  // Raw offset (relative to raw.data()) where decoded byte i starts; i == text().size() gives
  // raw.size().
  size_t raw_offset(size_t i) const;
  // The smallest raw span [first, second) covering decoded bytes [begin, end): a span that cuts
  // through an escape sequence is widened to the whole escape.
  std::pair<size_t, size_t> raw_span(size_t begin, size_t end) const;

private:
  void build_offsets() const;  // on first use: most decoded strings never need the map
  std::string_view m_raw;      // must outlive this object
  std::string m_text;
  mutable std::vector<uint32_t> m_offsets;  // raw offset of decoded byte i; plus a sentinel
};

// The JSON string literal (with quotes) for utf8: escapes '"', '\\' and control characters.
std::string encode_string(std::string_view utf8);
// Same without the surrounding quotes: what to splice between existing quotes.
std::string encode_string_contents(std::string_view utf8);

}  // namespace gw::json
