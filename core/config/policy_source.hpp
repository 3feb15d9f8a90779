#pragma once
// Internal to the policy loader: a parsed policy document in one canonical form (JSON), with the
// source position of every value when the input was TOML, and the diagnostics collector that
// turns (path, message) pairs into "FILE:LINE:COL: path: message" lines.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/result.hpp"

namespace gw::config::detail {

struct SourceLoc {
  int line = 0;
  int col = 0;
};

struct SourceDoc {
  std::string file;
  nlohmann::json root;
  // Display path ("keys.alice.budgets.daily.usd") -> position of the value. Empty for JSON.
  std::unordered_map<std::string, SourceLoc> locs;
};

// Display path of `key` under `base`; keys that are not bare words are quoted
// (prices."gemini-2.5-pro").
std::string path_key(const std::string& base, std::string_view key);
// Display path of element i of the array at `base`: base[i].
std::string path_index(const std::string& base, size_t i);

// TOML -> SourceDoc; date-times become RFC 3339 strings. Syntax errors: "FILE:L:C: message".
gw::Result<SourceDoc> toml_to_doc(std::string_view text, std::string_view file);
// JSON -> SourceDoc (no positions). Syntax errors: "FILE: invalid JSON: ...".
gw::Result<SourceDoc> json_to_doc(std::string_view text, std::string_view file);

// Collects every problem found; the loader reports them all at once.
class Diagnostics {
public:
  explicit Diagnostics(const SourceDoc& doc) : m_doc(doc) {}
  // Records "FILE:L:C: path: message" using the position of `path` (or its nearest ancestor).
  void error(const std::string& path, const std::string& message);
  bool ok() const { return m_errors.empty(); }
  // All messages, one per line, in file order.
  std::string text() const;

private:
  const SourceDoc& m_doc;
  struct Entry {
    SourceLoc loc;  // 0:0 when unknown (JSON, missing fields): sorted first
    std::string text;
  };
  std::vector<Entry> m_errors;
};

}  // namespace gw::config::detail
