#pragma once
// Budgets and rate-limit headroom per virtual key, as JSON for the control API's "status" op
// (rendered by `gw status`). Reads Admission's counters; never changes them.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/config/policy.hpp"
#include "core/limits/admission.hpp"

namespace gw::agent {

// The keys `gw status` shows when none are named: every key when the policy has at most
// `k_status_all_keys_max` of them, else only the launcher's key ([local] key).
inline constexpr size_t k_status_all_keys_max = 20;
std::vector<std::string> default_status_keys(const config::Policy& policy);

// [{"key": id, "team": t, "owner": o, "enabled": b,
//   "budgets": [{"scope","id","name","period","window","limit_nano","spent_nano","reserved_nano","resets_at_ms"}],
//   "rate_limits": [{"scope","id","requests_per_minute","requests_available","tokens_per_minute",
//                    "tokens_available","concurrent","in_flight"}]}]
// An unknown id gets {"key": id, "error": "..."}.
nlohmann::json limits_json(const config::Policy& policy, limits::Admission& admission,
                           const std::vector<std::string>& key_ids);

}  // namespace gw::agent
