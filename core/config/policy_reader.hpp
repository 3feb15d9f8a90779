#pragma once
// Internal to the policy loader: typed access to one JSON object of the policy document that
// reports type errors through Diagnostics and, in finish(), every key that was never read.
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/config/policy_source.hpp"

namespace gw::config::detail {

// The JSON type name used in messages ("a string", "an integer", ...).
std::string type_phrase(const nlohmann::json& j);

class ObjectReader {
public:
  // `j` must outlive the reader. When j is not an object, reports "must be a table".
  ObjectReader(const nlohmann::json& j, std::string path, Diagnostics& diag);

  bool valid() const { return m_obj != nullptr; }
  const std::string& path() const { return m_path; }
  std::string child(std::string_view key) const { return path_key(m_path, key); }
  bool has(std::string_view key) const;
  // Each accessor marks the key as read; a present value of the wrong type is reported and
  // yields nullopt. `required` reports a missing key.
  std::optional<std::string> string(std::string_view key, bool required = false);
  std::optional<bool> boolean(std::string_view key);
  std::optional<int64_t> integer(std::string_view key, int64_t min_value);
  // A number (integer or float) >= 0, in USD.
  std::optional<double> usd(std::string_view key, bool required = false);
  std::optional<std::vector<std::string>> string_list(std::string_view key);
  // A nested object (nullptr when absent or not an object; the latter is reported).
  const nlohmann::json* table(std::string_view key);
  // A value of any type (for fields with several accepted shapes).
  const nlohmann::json* raw(std::string_view key);
  // Reports every key that was not read: "unknown key" with a did-you-mean hint.
  void finish();

private:
  const nlohmann::json* get(std::string_view key);
  const nlohmann::json* m_obj = nullptr;
  std::string m_path;
  Diagnostics& m_diag;
  std::set<std::string, std::less<>> m_read;
};

}  // namespace gw::config::detail
