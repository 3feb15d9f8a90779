#pragma once
// Internal to the policy loader: SourceDoc -> Policy (field by field, with type and range checks),
// then the cross-field checks of policy_validate.cpp. Both report through Diagnostics.
#include "core/config/policy.hpp"
#include "core/config/policy_source.hpp"

namespace gw::config::detail {

// Decodes every field it knows, reports every problem, and returns the (possibly partial) policy.
Policy decode_policy(const SourceDoc& doc, Diagnostics& diag);
// Cross-references: providers and models named in allow lists exist, teams exist, key ids and
// secret hashes are unique, budgets of one owner do not cover the same period twice, globs are
// valid, the local key exists, anonymous is defined when enforce_auth is off.
void validate_policy(const Policy& policy, Diagnostics& diag);
// Why `glob` is not a valid model pattern, or empty when it is.
std::string glob_problem(std::string_view glob);

}  // namespace gw::config::detail
