#include "core/storage/key_directory_json.hpp"

#include <nlohmann/json.hpp>

namespace gw::storage {
using nlohmann::json;

namespace {

json parse_object(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_object() ? j : json::object();
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (auto it = j.find(key); it != j.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

config::Period period_from(const std::string& s) {
  using config::Period;
  for (Period p : {Period::hour, Period::day, Period::week, Period::month, Period::quarter, Period::year})
    if (config::to_string(p) == s) return p;
  return Period::day;
}

}  // namespace

std::string access_to_text(const config::ModelAccess& a) {
  return json{{"providers", a.providers}, {"models", a.models}, {"deny_models", a.deny_models}}.dump();
}

config::ModelAccess access_from_text(const std::string& text) {
  json j = parse_object(text);
  return {strings(j, "providers"), strings(j, "models"), strings(j, "deny_models")};
}

std::string budgets_to_text(const std::vector<config::Budget>& budgets) {
  json out = json::array();
  for (const auto& b : budgets)
    out.push_back({{"name", b.name}, {"nano_usd", b.amount_nano_usd}, {"period", config::to_string(b.period)},
                   {"window", config::to_string(b.window)}});
  return out.dump();
}

std::vector<config::Budget> budgets_from_text(const std::string& text) {
  std::vector<config::Budget> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& b : j) {
    if (!b.is_object()) continue;
    config::Budget budget;
    budget.name = b.value("name", "");
    budget.amount_nano_usd = b.value("nano_usd", int64_t{0});
    budget.period = period_from(b.value("period", "day"));
    budget.window = b.value("window", "calendar") == "rolling" ? config::Window::rolling : config::Window::calendar;
    out.push_back(std::move(budget));
  }
  return out;
}

std::string limits_to_text(const config::RateLimits& l) {
  return json{{"requests_per_minute", l.requests_per_minute}, {"tokens_per_minute", l.tokens_per_minute},
              {"concurrent", l.concurrent}}
      .dump();
}

config::RateLimits limits_from_text(const std::string& text) {
  json j = parse_object(text);
  return {j.value("requests_per_minute", int64_t{0}), j.value("tokens_per_minute", int64_t{0}),
          j.value("concurrent", int64_t{0})};
}

}  // namespace gw::storage
