#include "core/limits/denial.hpp"

#include "core/config/prices.hpp"
#include "core/limits/period.hpp"

namespace gw::limits {

namespace {
std::string owner(const Denial& d) {
  return d.scope == "org" ? std::string("the organisation") : d.scope + " " + d.scope_id;
}
}  // namespace

int64_t Denial::retry_after_seconds() const {
  if (!is_rate_limit()) return 0;
  return std::max<int64_t>(1, (retry_after_ms + 999) / 1000);
}

std::string Denial::reason() const {
  if (!central_reason.empty()) return central_reason;
  switch (kind) {
    case Kind::budget: return "budget";
    case Kind::requests_per_minute: return "rpm";
    case Kind::tokens_per_minute: return "tpm";
    case Kind::concurrency: return "concurrency";
    case Kind::unpriced_model: return "unpriced";
  }
  return "limit";
}

std::string Denial::message() const {
  if (!central_detail.empty()) return central_detail;
  using config::format_usd;
  std::string retry = "retry in " + std::to_string(retry_after_seconds()) + "s";
  switch (kind) {
    case Kind::budget: {
      std::string m = "budget '" + limit_name + "' of " + owner(*this) + " exhausted: " +
                      format_usd(spent_nano) + " of " + format_usd(limit_nano) + " spent";
      if (reserved_nano > 0) m += " (+" + format_usd(reserved_nano) + " held by requests in flight)";
      m += "; this request may cost up to " + format_usd(request_nano);
      if (resets_at_ms > 0)
        m += std::string(rolling ? "; frees up from " : "; resets ") + format_utc_minute(resets_at_ms);
      return m;
    }
    case Kind::requests_per_minute:
      return "rate limit of " + owner(*this) + ": " + std::to_string(limit_value) +
             " requests per minute; " + retry;
    case Kind::tokens_per_minute:
      return "token rate limit of " + owner(*this) + ": " + std::to_string(limit_value) +
             " tokens per minute (this request may use up to " + std::to_string(request_tokens) +
             "); " + retry;
    case Kind::concurrency:
      return owner(*this) + " already has " + std::to_string(limit_value) +
             " requests in flight (the limit); " + retry;
    case Kind::unpriced_model:
      return "no price is known for model '" + model + "', so the budgets of " + owner(*this) +
             " cannot be enforced; add it under [prices] in the policy";
  }
  return "limit reached";
}

}  // namespace gw::limits
