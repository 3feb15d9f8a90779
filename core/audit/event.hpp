#pragma once
// The audit event: one record of something the gateway did (admitted a request, completed it,
// denied it, raised an alarm, changed policy, lost events). Plain data; the spool assigns the
// chain fields (seq, prev) and serializes it to canonical JSON. The schema is documented field by
// field in docs/audit.md; bump k_schema_version on any incompatible change.
//
// Never put a secret value in an event: findings carry a fingerprint (gw::fingerprint) only.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/common/result.hpp"

namespace gw::audit {

inline constexpr int k_schema_version = 1;

enum class EventKind { admitted, completed, denied, alarm, policy_change, gap };
enum class Decision { none, allowed, denied, redacted };

std::string_view to_string(EventKind kind);
std::string_view to_string(Decision decision);
Result<EventKind> parse_event_kind(std::string_view text);
Result<Decision> parse_decision(std::string_view text);

// A guardrail hit: which rule, where in the request, and a non-reversible fingerprint.
struct Finding {
  std::string rule_id;
  std::string location;     // e.g. "messages[3].content[0].text" or "tool_result:Bash"
  std::string fingerprint;  // gw::fingerprint(secret); NEVER the value
  bool operator==(const Finding&) const = default;
};

struct Usage {
  int64_t input = 0;
  int64_t output = 0;
  int64_t cache_read = 0;
  int64_t cache_write = 0;
  int64_t reasoning = 0;
  bool operator==(const Usage&) const = default;
};

struct Latency {  // microseconds
  int64_t total_us = 0;
  int64_t ttfb_us = 0;
  int64_t upstream_us = 0;
  bool operator==(const Latency&) const = default;
};

// Which credential store supplied the secrets behind a record (docs/audit.md "Credential stores"):
//   provider_key  secret-service | keychain | file (the insecure 0600-file fallback) | env |
//                 key-file | passthrough (the developer's own login; gw supplied no key)
//   device_key    secret-service | keychain | file: where the key signing the chain is kept
struct CredentialStores {
  std::string provider_key;
  std::string device_key;
  bool operator==(const CredentialStores&) const = default;
};

struct AuditEvent {
  // Chain fields: assigned by the spool's writer; callers leave them empty.
  uint64_t seq = 0;
  std::string prev;  // lowercase hex sha256 of the previous record's exact bytes

  std::string id;         // UUIDv7; the spool fills it when empty
  EventKind kind = EventKind::admitted;
  int64_t time_ms = 0;    // when it happened (Unix ms); the spool stamps it when 0
  int64_t request_started_ms = 0;  // for completed/denied: when the request arrived (0 = unset)
  std::string request_id;  // correlates the admitted and completed records of one request

  std::string device_id;  // the spool fills it when empty
  std::string user;
  std::string virtual_key_id;
  std::string team;
  std::string agent;  // claude-code | codex | gemini-cli | other
  std::string agent_session_id;
  std::string provider;  // anthropic | openai | gemini
  std::string model;
  std::string endpoint;  // e.g. "POST /v1/messages"
  bool streamed = false;
  int http_status = 0;  // 0 = no response yet (admitted)

  Decision decision = Decision::none;
  std::string reason;  // why (denials, redactions, alarms, gaps): user-facing, secret-free
  std::vector<Finding> findings;

  std::optional<Usage> usage;
  std::optional<int64_t> cost_nano_usd;  // integer nano-USD (1e-9 USD)
  std::optional<Latency> latency;
  int64_t bytes_in = 0;
  int64_t bytes_out = 0;

  std::string policy_version;
  std::string gw_version;  // the spool fills it when empty
  CredentialStores credential_stores;  // request records; omitted from the JSON when both are empty

  // Admitted events only, when policy [audit] log_content is on: the request body after every
  // secret/PII match was replaced by a placeholder, cut at content_max_bytes. Empty otherwise.
  std::string content;
  bool content_truncated = false;

  bool operator==(const AuditEvent&) const = default;
};

// The canonical JSON object of an event record (keys sorted, empty/unset fields omitted,
// "record":"event", "v":k_schema_version). Deterministic: equal events give equal bytes.
nlohmann::json event_to_json(const AuditEvent& ev);
// The exact line bytes (no trailing newline) that the spool writes and hashes: event_to_json(ev)
// dumped compact, written without building the DOM (event_writer.cpp; a new field goes into both).
// Invalid UTF-8 (e.g. in a client-sent session id header) is replaced by U+FFFD, never thrown: a
// record must always be writable.
std::string serialize_event(const AuditEvent& ev);
// The same bytes through the nlohmann DOM (the reference the writer is tested against).
std::string serialize_event_dom(const AuditEvent& ev);
// Parses an event record object (as written by serialize_event). Unknown keys are kept out of the
// struct but do not fail, so a newer minor schema can be read.
Result<AuditEvent> event_from_json(const nlohmann::json& j);

}  // namespace gw::audit
