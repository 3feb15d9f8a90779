#include "core/limits/estimate.hpp"

#include <algorithm>

namespace gw::limits {

int64_t estimate_input_tokens(int64_t body_bytes, const config::ReservationPolicy& rp) {
  int64_t per = std::max<int64_t>(1, rp.bytes_per_input_token);
  return (std::max<int64_t>(0, body_bytes) + per - 1) / per;
}

int64_t reserve_output_tokens(std::optional<int64_t> requested, const config::ReservationPolicy& rp) {
  int64_t want = requested && *requested > 0 ? *requested : rp.default_max_output_tokens;
  return std::min(want, rp.max_output_tokens_cap);
}

}  // namespace gw::limits
