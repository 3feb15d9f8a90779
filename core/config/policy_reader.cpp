#include "core/config/policy_reader.hpp"

#include <algorithm>

namespace gw::config::detail {

std::string type_phrase(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "an integer";
    case nlohmann::json::value_t::number_float: return "a float";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::object: return "a table";
    default: return "null";
  }
}

namespace {
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diag = up;
    }
  }
  return row[b.size()];
}
}  // namespace

ObjectReader::ObjectReader(const nlohmann::json& j, std::string path, Diagnostics& diag)
    : m_path(std::move(path)), m_diag(diag) {
  if (j.is_object())
    m_obj = &j;
  else
    m_diag.error(m_path, "must be a table, not " + type_phrase(j));
}

bool ObjectReader::has(std::string_view key) const {
  return m_obj && m_obj->contains(std::string(key));
}

const nlohmann::json* ObjectReader::get(std::string_view key) {
  if (!m_obj) return nullptr;
  m_read.emplace(key);
  auto it = m_obj->find(std::string(key));
  return it == m_obj->end() ? nullptr : &*it;
}

const nlohmann::json* ObjectReader::raw(std::string_view key) { return get(key); }

std::optional<std::string> ObjectReader::string(std::string_view key, bool required) {
  const auto* v = get(key);
  if (!v) {
    if (required && m_obj) m_diag.error(child(key), "is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    m_diag.error(child(key), "must be a string, not " + type_phrase(*v));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<bool> ObjectReader::boolean(std::string_view key) {
  const auto* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    m_diag.error(child(key), "must be a boolean, not " + type_phrase(*v));
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<int64_t> ObjectReader::integer(std::string_view key, int64_t min_value) {
  const auto* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    m_diag.error(child(key), "must be an integer, not " + type_phrase(*v));
    return std::nullopt;
  }
  int64_t n = v->get<int64_t>();
  if (n < min_value) {
    m_diag.error(child(key), "must be >= " + std::to_string(min_value) + ", got " + std::to_string(n));
    return std::nullopt;
  }
  return n;
}

std::optional<double> ObjectReader::usd(std::string_view key, bool required) {
  const auto* v = get(key);
  if (!v) {
    if (required && m_obj) m_diag.error(child(key), "is required");
    return std::nullopt;
  }
  if (!v->is_number()) {
    m_diag.error(child(key), "must be a number (USD), not " + type_phrase(*v));
    return std::nullopt;
  }
  double d = v->get<double>();
  if (!(d >= 0) || d > 1e12) {
    m_diag.error(child(key), "must be >= 0, got " + v->dump());
    return std::nullopt;
  }
  return d;
}

std::optional<std::vector<std::string>> ObjectReader::string_list(std::string_view key) {
  const auto* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    m_diag.error(child(key), "must be an array of strings, not " + type_phrase(*v));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < v->size(); ++i) {
    const auto& e = (*v)[i];
    if (!e.is_string()) {
      m_diag.error(path_index(child(key), i), "must be a string, not " + type_phrase(e));
      ok = false;
      continue;
    }
    out.push_back(e.get<std::string>());
  }
  if (!ok) return std::nullopt;
  return out;
}

const nlohmann::json* ObjectReader::table(std::string_view key) {
  const auto* v = get(key);
  if (!v) return nullptr;
  if (!v->is_object()) {
    m_diag.error(child(key), "must be a table, not " + type_phrase(*v));
    return nullptr;
  }
  return v;
}

void ObjectReader::finish() {
  if (!m_obj) return;
  for (auto it = m_obj->begin(); it != m_obj->end(); ++it) {
    if (m_read.count(it.key())) continue;
    std::string best;
    size_t best_d = 3;  // suggest only close matches
    for (const auto& known : m_read) {
      size_t d = edit_distance(it.key(), known);
      if (d < best_d) best = known, best_d = d;
    }
    m_diag.error(child(it.key()),
                 best.empty() ? "unknown key" : "unknown key (did you mean '" + best + "'?)");
  }
}

}  // namespace gw::config::detail
