#pragma once
// A developer's central key as the central gateway describes it (`GET /v1/keys/self`), and how it
// combines with the policy in force on the laptop (ADR 0049).
//
// Wire form (the body of GET /v1/keys/self, also the sidecar's cache file):
//   {"revision": 12,                         // the central key directory's revision
//    "key": {"id": "alice", "owner": "alice@example.com", "team": "payments",
//            "providers": ["anthropic"],       // [] = what the policy's launcher key allows
//            "models": ["claude-*"],           // allowed models (globs); [] = what the policy allows
//            "deny_models": [],                // refused even when allowed
//            "budgets": [{"name": "daily", "amount_nano_usd": 5000000000, "period": "day",
//                         "window": "calendar"}],
//            "limits": {"requests_per_minute": 0, "tokens_per_minute": 0, "concurrent": 0},
//            "enabled": true, "expires_at_ms": null,
//            "revoked": false, "revoked_reason": "", "revoked_by": "", "revoked_at_ms": 0}}
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.hpp"
#include "core/config/policy.hpp"

namespace gw::config {

struct CentralKeyRecord {
  std::string id;
  std::string owner;
  std::string team;
  std::vector<std::string> providers;    // provider ids; empty: the policy's launcher key decides
  std::vector<std::string> models;       // globs; empty: the policy's launcher key decides
  std::vector<std::string> deny_models;  // added to the launcher key's deny list
  std::vector<Budget> budgets;
  RateLimits limits;
  bool enabled = true;
  std::optional<int64_t> expires_at_ms;
  bool revoked = false;
  std::string revoked_reason;
  std::string revoked_by;
  int64_t revoked_at_ms = 0;
  uint64_t revision = 0;  // of the central directory when this record was read
};

nlohmann::json to_json(const CentralKeyRecord& record);
// Parses the wire form; errors (Errc::invalid_argument) name the field that is wrong.
Result<CentralKeyRecord> central_key_from_json(const nlohmann::json& j);

// Why requests under this key are refused right now (revoked, disabled), as the developer reads
// it: who, when, and what to do next; empty when the key may be used. `server` is the central's
// URL, for the `gw login` hint. Expiry is left to the auth stage (it depends on the time).
std::string central_key_refusal(const CentralKeyRecord& record, const std::string& server);

// The policy with the central key merged in (ADR 0049): a key `record.id` is added (replacing a
// policy key of that id) and becomes the launcher key ([local] key), so launcher sessions run as
// it. From the record: owner, team, budgets, rate limits (when any), enabled, expiry and the
// refusal (revoked/disabled), providers and models when it names any, its deny list in addition
// to the launcher key's. From the policy: its launcher key's providers and models when the record
// names none (every provider and model when it has no launcher key) and everything else (teams
// and their budgets, org budgets, guardrails, audit).
std::shared_ptr<const Policy> merge_central_key(const Policy& policy, const CentralKeyRecord& record,
                                                const std::string& server);

}  // namespace gw::config
