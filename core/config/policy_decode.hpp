#pragma once
// Internal to the policy loader: SourceDoc -> Policy (field by field, with type and range checks),
// then the cross-field checks of policy_validate.cpp. Both report through Diagnostics.
#include "core/config/policy.hpp"
#include "core/config/policy_source.hpp"

namespace gw::config::detail {

class ObjectReader;

// The pieces of decode_policy that other documents with key-shaped records reuse (the admin API's
// key and team bodies): same fields, same messages.
// YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM) -> Unix ms (dates without a zone: UTC).
std::optional<int64_t> parse_rfc3339_ms(const std::string& s);
// `budgets.NAME = {usd, period, window}` of `owner`; empty when absent.
std::vector<Budget> decode_budgets(ObjectReader& owner, Diagnostics& diag);
// `limits = {requests_per_minute, tokens_per_minute, concurrent}` of `owner`.
RateLimits decode_limits(ObjectReader& owner, Diagnostics& diag);
// providers, models, deny_models.
void decode_access(ObjectReader& r, ModelAccess& access);
// A [keys.ID] table (anonymous: the [anonymous] table, without secret, owner, team, expires).
VirtualKey decode_key(const nlohmann::json& j, const std::string& id, const std::string& path,
                      Diagnostics& diag, bool anonymous);

// Decodes every field it knows, reports every problem, and returns the (possibly partial) policy.
Policy decode_policy(const SourceDoc& doc, Diagnostics& diag);
// Cross-references: providers and models named in allow lists exist, teams exist, key ids and
// secret hashes are unique, budgets of one owner do not cover the same period twice, globs are
// valid, the local key exists, anonymous is defined when enforce_auth is off.
void validate_policy(const Policy& policy, Diagnostics& diag);
// Why `glob` is not a valid model pattern, or empty when it is.
std::string glob_problem(std::string_view glob);

}  // namespace gw::config::detail
