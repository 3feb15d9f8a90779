#pragma once
// Internal to the policy loader: decodes the [audit] table (see audit_policy.hpp).
#include "core/config/audit_policy.hpp"
#include "core/config/policy_source.hpp"

namespace gw::config::detail {

// Reads every key of `table` (the value of [audit], at display path "audit") into `out`,
// reporting type, range and unknown-key errors through diag.
void decode_audit(const nlohmann::json& table, AuditPolicy& out, Diagnostics& diag);

}  // namespace gw::config::detail
