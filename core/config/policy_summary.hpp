#pragma once
// A short human summary of a valid policy, printed by `gw policy check` after "OK".
#include <string>

#include "core/config/policy.hpp"

namespace gw::config {

// Multi-line text: version, auth mode, providers, keys, teams, budgets and limits, price table.
std::string summarize_policy(const Policy& policy);

}  // namespace gw::config
