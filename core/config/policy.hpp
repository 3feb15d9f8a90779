#pragma once
// The policy model: plain, immutable structs built once when a policy loads (TOML written by
// humans, or JSON inside signed bundles) and shared as std::shared_ptr<const Policy>. A reload
// builds a new Policy; requests in flight keep the one they started with.
//
// Money is integer nano-USD (1 USD = 1'000'000'000). Times are Unix milliseconds (UTC).
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/result.hpp"
#include "core/config/guardrails.hpp"
#include "core/config/audit_policy.hpp"
#include "core/config/prices.hpp"

namespace gw::config {

inline constexpr int64_t k_nano_per_usd = 1'000'000'000;

enum class ApiKind { anthropic, openai, gemini };
std::string_view to_string(ApiKind kind);

struct CredentialSource {  // where the sidecar gets the real provider key
  enum class Kind { env, file, keychain, none } kind = Kind::env;
  std::string name;  // env var name, file path, or keychain item name
};

struct ProviderConfig {
  std::string id;  // "anthropic", "openai", "gemini" or a custom id
  ApiKind kind = ApiKind::anthropic;
  std::string base_url;  // e.g. https://api.anthropic.com (tests: http://127.0.0.1:PORT)
  CredentialSource credential;
  bool allow_passthrough = false;  // forward the developer's own login when no key is configured
};

enum class Period { hour, day, week, month, quarter, year };
std::string_view to_string(Period period);
// calendar: aligned to UTC boundaries (day starts 00:00Z, week starts Monday, month/quarter/year
// on the 1st). rolling: the last hour/24h/7d/30d/91d/365d ending now.
enum class Window { calendar, rolling };
std::string_view to_string(Window window);

struct Budget {
  std::string name;  // "daily"; unique within its owner (key, team or org)
  int64_t amount_nano_usd = 0;
  Period period = Period::day;
  Window window = Window::calendar;
};

// 0 means "no limit" for every field.
struct RateLimits {
  int64_t requests_per_minute = 0;
  int64_t tokens_per_minute = 0;  // input + output tokens
  int64_t concurrent = 0;         // requests in flight
  bool any() const { return requests_per_minute || tokens_per_minute || concurrent; }
};

// Which providers and models a key may call. Deny by default: a model is allowed only when some
// entry of `models` matches it and no entry of `deny_models` does (the deny list wins).
// Entries are exact names or globs where '*' matches any run of characters and '?' one character.
struct ModelAccess {
  std::vector<std::string> providers;    // provider ids; empty = none allowed
  std::vector<std::string> models;       // allowed models (exact or glob)
  std::vector<std::string> deny_models;  // refused even when `models` matches
};

struct VirtualKey {
  std::string id;           // "alice"
  std::string secret_hash;  // "sha256:<64 hex>" of the secret; empty = usable only via sessions
  std::string owner;        // a person or service, free text (e.g. an email)
  std::string team;         // team id or empty
  bool enabled = true;
  std::optional<int64_t> expires_at_ms;  // refused at and after this instant
  ModelAccess access;
  std::vector<Budget> budgets;
  RateLimits limits;
  // Non-empty: every request under this key is refused with this message, as is (a central key
  // the central gateway revoked or disabled, merged in by merge_central_key; ADR 0049). Policy
  // files cannot set it.
  std::string refusal;
};

struct Team {
  std::string id;
  std::vector<std::string> members;  // key ids; a key naming this team is a member too
  std::vector<Budget> budgets;
  RateLimits limits;
};

// How reservations are sized at admission (see core/limits/estimate.hpp).
struct ReservationPolicy {
  int64_t default_max_output_tokens = 32000;  // when the request names no output cap
  int64_t max_output_tokens_cap = 128000;     // never reserve more output than this
  int64_t bytes_per_input_token = 3;          // input estimate: body bytes / this
};

struct Policy {
  std::string version;  // free text chosen by the author, shown in status and audit
  std::map<std::string, ProviderConfig> providers;
  PriceTable prices;
  std::map<std::string, VirtualKey> keys;
  std::map<std::string, Team> teams;
  std::vector<Budget> org_budgets;
  RateLimits org_limits;
  ReservationPolicy reservation;
  // When on (the default) a request without a key is refused; when off it runs as `anonymous`.
  bool enforce_auth = true;
  std::optional<VirtualKey> anonymous;  // id "anonymous"; required when enforce_auth is off
  // The virtual key that sessions minted by the local launcher are bound to ([local] key = "...").
  // Empty: launcher sessions are refused.
  std::string local_key;
  // Secret and PII scanning of what leaves the machine ([guardrails]; rules compiled at load).
  Guardrails guardrails;
  AuditPolicy audit;  // [audit]

  // Set when the policy came from a signed bundle (core/policy): past valid_until_s (unix seconds:
  // the bundle's expiry plus its offline grace) the policy is out of date; fail_open says whether
  // requests still run under it. `origin` names the bundle for messages ("bundle v7 (acme)").
  struct Validity {
    int64_t valid_until_s = 0;
    bool fail_open = false;
    std::string origin;
  };
  std::optional<Validity> validity;

  // Index from secret_hash to key id, filled by the loader. Lookups go through find_by_secret.
  std::unordered_map<std::string, std::string> key_by_hash;

  // The key whose secret hashes to `secret` ("sha256:" + hex of SHA-256), or nullptr.
  // Disabled or expired keys are returned too: the caller decides and says why.
  const VirtualKey* find_by_secret(std::string_view secret) const;
  const VirtualKey* find_key(std::string_view id) const;
  const Team* find_team(std::string_view id) const;
};

// "sha256:<hex>" of a key secret: the only form in which a secret is stored in a policy.
std::string hash_key_secret(std::string_view secret);
// A new random secret for a virtual key ("gwk_" + 43 base64url chars).
std::string new_key_secret();

// True when `name` matches the glob (only '*' and '?' are special).
bool glob_match(std::string_view glob, std::string_view name);
// True when `key` may call `model` at `provider` (see ModelAccess).
bool model_allowed(const ModelAccess& access, std::string_view provider, std::string_view model);

// Parses and validates policy TOML; errors are "FILE:LINE:COL: path.to.field: what is wrong",
// one per line (all problems found, not just the first); unknown keys are errors.
gw::Result<std::shared_ptr<const Policy>> parse_policy(std::string_view toml_text,
                                                        std::string_view file_name);
// The JSON form (as carried in signed bundles); same schema and checks, errors are
// "FILE: path.to.field: what is wrong".
gw::Result<std::shared_ptr<const Policy>> parse_policy_json(std::string_view json_text,
                                                             std::string_view file_name);
// Reads a file and parses it by extension (.json => JSON, anything else => TOML).
gw::Result<std::shared_ptr<const Policy>> load_policy_file(const std::filesystem::path& path);
// The policy in force when the user wrote none: providers anthropic/openai/gemini at their real
// base URLs with keys from env ANTHROPIC_API_KEY / OPENAI_API_KEY / GEMINI_API_KEY; one key
// "local" (no secret, any model of the three providers, no budgets) to which launcher sessions
// are bound; enforce_auth on, so everything else is refused.
std::shared_ptr<const Policy> default_policy();

}  // namespace gw::config
