#pragma once
// Why admission refused a request, with everything a developer needs to act on it.
#include <cstdint>
#include <string>

namespace gw::limits {

struct Denial {
  enum class Kind {
    budget,               // a budget would be exceeded (not retryable until it resets)
    requests_per_minute,  // rate limits: retryable after retry_after_ms
    tokens_per_minute,
    concurrency,
    unpriced_model,       // budgets apply but the model has no price
  };
  Kind kind = Kind::budget;
  std::string scope;     // "key", "team" or "org"
  std::string scope_id;  // "alice", "platform", "" for org
  std::string limit_name;  // budget name ("daily"); empty for rate limits
  std::string model;       // for unpriced_model
  int64_t spent_nano = 0;     // settled spend in the current period
  int64_t reserved_nano = 0;  // held by requests in flight
  int64_t limit_nano = 0;
  int64_t request_nano = 0;  // what this request would reserve
  int64_t limit_value = 0;   // rpm / tpm / concurrent limit
  int64_t request_tokens = 0;
  int64_t resets_at_ms = 0;   // budget: when the period resets (0 if unknown)
  int64_t retry_after_ms = 0;  // rate limits: when a retry would be admitted
  bool rolling = false;
  // Central budgets (ADR 0046): when set, message() is central_detail and reason() central_reason
  // ("budget" when the central refused a lease, "lease_offline" when it could not be reached).
  std::string central_detail;
  std::string central_reason;

  bool is_rate_limit() const {
    return kind == Kind::requests_per_minute || kind == Kind::tokens_per_minute ||
           kind == Kind::concurrency;
  }
  // Whole seconds for a retry-after header (at least 1 for rate limits, 0 otherwise).
  int64_t retry_after_seconds() const;
  // "budget 'daily' of key alice exhausted: $4.98 of $5.00 spent; resets 2026-11-25T00:00Z"
  std::string message() const;
  // Short machine reason for metrics and audit: "budget", "rpm", "tpm", "concurrency", "unpriced".
  std::string reason() const;
};

}  // namespace gw::limits
