#pragma once
// Splitting a JSON document into its top-level values WITHOUT validating them, for callers that
// validate each value on its own (or know it is valid: the scan cache remembers blocks by a hash
// of their bytes, and only valid blocks are remembered). Together with validating every value,
// this is exactly a validation of the document, in one pass over each byte instead of two.
//
// Everything outside the values is checked (braces, brackets, keys, ':', ',', whitespace, the
// end of the document); a value's extent is found structurally (strings skipped by their closing
// quote, brackets counted), which on invalid input yields some extent that the value's own
// validation then rejects. Linear time; never reads outside the document.
#include <string_view>
#include <vector>

#include "core/json/json_walk.hpp"

namespace gw::json {

// The offset just past the value starting at doc[pos] (a string, object or array: its closing
// quote or bracket; a scalar: the next byte that cannot be part of it), found structurally.
// Returns doc.size() + 1 when the value is unterminated.
size_t skip_value(std::string_view doc, size_t pos);

// One top-level member, its value unvalidated.
struct RawMember {
  std::string_view key;    // as written between the quotes (validated, still escaped)
  bool key_escapes = false;
  Type type = Type::null;  // from the value's first byte
  std::string_view raw;    // the value's bytes
  size_t offset = 0;       // offset of raw in the document
};

// The members of the object that doc must be; false when doc's structure outside the values is
// not valid JSON (the caller then falls back to a full validation for the precise message).
bool split_object(std::string_view doc, std::vector<RawMember>& out);

// The elements of the array value raw (offsets relative to raw); false as above.
bool split_array(std::string_view raw, std::vector<Element>& out);

}  // namespace gw::json
