#pragma once
// The Admin API's JSON shapes: key and team records out, request bodies in (validated like the
// policy: every problem at once, unknown fields named), and query-string times.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/common/result.hpp"
#include "core/storage/key_directory.hpp"

namespace gw::server {

// A key as the API shows it (never the secret nor its hash). now_ms decides "status":
// active | disabled | expired | revoked.
nlohmann::json key_to_json(const storage::KeyRecord& rec, int64_t now_ms);
nlohmann::json team_to_json(const storage::TeamRecord& rec);

// The policy fields of a key in the request-body shape (what PATCH merges into).
nlohmann::json key_body(const config::VirtualKey& key);
nlohmann::json team_body(const storage::TeamRecord& team);

// Decodes a key body (create, or an existing key's key_body merged with a PATCH) into `out`.
// Fields: owner, team, enabled, expires, providers, models, deny_models, budgets, limits.
// Errors (Errc::invalid_argument): every problem, one per line, "field: message".
Status decode_key_body(const nlohmann::json& body, const std::string& id, config::VirtualKey& out);
// Fields: description, budgets, limits.
Status decode_team_body(const nlohmann::json& body, const std::string& id, storage::TeamRecord& out);

// Ids of keys and teams: 1-64 of letters, digits, _ - . @ (the policy's rule).
bool valid_admin_id(std::string_view id);

// A query-string instant: RFC 3339 date or date-time, or a duration back from now ("30m",
// "24h", "7d"). nullopt when malformed.
std::optional<int64_t> parse_instant(const std::string& text, int64_t now_ms);

// "gwk_" + 64 lowercase hex characters (256 random bits).
std::string new_key_secret();

}  // namespace gw::server
