#pragma once
// Small helpers for reading provider JSON (SSE event data and response bodies) defensively:
// a missing or mistyped field reads as 0, never throws.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/json/json_walk.hpp"

namespace gw::providers {

// Parses text; returns a discarded value (is_discarded()) when it is not JSON.
inline nlohmann::json parse_lenient(std::string_view text) {
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
}

// j[key] as an integer, 0 when absent or not a number.
inline int64_t int_at(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  return it->is_number_integer() ? it->get<int64_t>() : static_cast<int64_t>(it->get<double>());
}

// The parsed "usage" member of a JSON object body, read without building a DOM of the whole
// reply (its content can be large). Null when absent or when the body is not an object.
inline nlohmann::json usage_member(const json::TopLevel& top) {
  auto raw = top.raw("usage");
  return raw ? parse_lenient(*raw) : nlohmann::json();
}

inline const nlohmann::json& obj_at(const nlohmann::json& j, std::string_view key) {
  static const nlohmann::json k_null;
  if (!j.is_object()) return k_null;
  auto it = j.find(key);
  return it == j.end() ? k_null : *it;
}

}  // namespace gw::providers
