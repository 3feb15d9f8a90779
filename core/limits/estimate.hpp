#pragma once
// Sizing a reservation before the provider has answered: the worst plausible cost of a request.
#include <cstdint>
#include <optional>

#include "core/config/policy.hpp"

namespace gw::limits {

// Input tokens estimated from the request body size (bytes / bytes_per_input_token, rounded up).
int64_t estimate_input_tokens(int64_t body_bytes, const config::ReservationPolicy& rp);
// Output tokens to reserve: the request's own cap (max_tokens, max_output_tokens,
// maxOutputTokens) when present, else the policy default; never above the policy cap.
int64_t reserve_output_tokens(std::optional<int64_t> requested, const config::ReservationPolicy& rp);

}  // namespace gw::limits
