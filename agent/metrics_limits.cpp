#include "agent/metrics_limits.hpp"

namespace gw::agent {

std::vector<std::string> default_status_keys(const config::Policy& policy) {
  std::vector<std::string> out;
  if (policy.keys.size() <= k_status_all_keys_max) {
    for (const auto& [id, _] : policy.keys) out.push_back(id);
  } else if (!policy.local_key.empty()) {
    out.push_back(policy.local_key);
  }
  if (policy.anonymous) out.push_back(policy.anonymous->id);
  return out;
}

nlohmann::json limits_json(const config::Policy& policy, limits::Admission& admission,
                           const std::vector<std::string>& key_ids) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& id : key_ids) {
    const config::VirtualKey* key = policy.find_key(id);
    if (!key && policy.anonymous && policy.anonymous->id == id) key = &*policy.anonymous;
    if (!key) {
      out.push_back({{"key", id}, {"error", "no key '" + id + "' in the policy in force"}});
      continue;
    }
    nlohmann::json budgets = nlohmann::json::array();
    for (const auto& b : admission.budgets_of(policy, *key))
      budgets.push_back({{"scope", b.scope}, {"id", b.scope_id}, {"name", b.budget.name},
                         {"period", config::to_string(b.budget.period)},
                         {"window", config::to_string(b.budget.window)},
                         {"limit_nano", b.budget.amount_nano_usd}, {"spent_nano", b.spent_nano},
                         {"reserved_nano", b.reserved_nano}, {"resets_at_ms", b.resets_at_ms}});
    nlohmann::json rates = nlohmann::json::array();
    for (const auto& r : admission.rates_of(policy, *key))
      rates.push_back({{"scope", r.scope}, {"id", r.scope_id},
                       {"requests_per_minute", r.limits.requests_per_minute},
                       {"requests_available", r.requests_available},
                       {"tokens_per_minute", r.limits.tokens_per_minute},
                       {"tokens_available", r.tokens_available}, {"concurrent", r.limits.concurrent},
                       {"in_flight", r.in_flight}});
    out.push_back({{"key", key->id}, {"team", key->team}, {"owner", key->owner}, {"enabled", key->enabled},
                   {"budgets", budgets}, {"rate_limits", rates}});
  }
  return out;
}

}  // namespace gw::agent
