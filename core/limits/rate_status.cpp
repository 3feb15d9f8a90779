// Admission::rates_of: what is left of each rate limit now, read from the GCRA state.
#include <algorithm>

#include "core/limits/accounts.hpp"
#include "core/limits/admission.hpp"

namespace gw::limits {

namespace {
// Units still admissible at `now` for a GCRA whose burst capacity is one minute of `per_minute`:
// the room between the TAT and now + 1 minute, in emission intervals.
int64_t gcra_available(int64_t tat_ns, int64_t now_ns, int64_t per_minute) {
  if (per_minute <= 0) return 0;
  __int128 room = static_cast<__int128>(now_ns) + detail::k_minute_ns - std::max(tat_ns, now_ns);
  return static_cast<int64_t>(room * per_minute / detail::k_minute_ns);
}
}  // namespace

std::vector<RateStatus> Admission::rates_of(const config::Policy& policy, const config::VirtualKey& key) {
  std::vector<RateStatus> out;
  const int64_t now_ns = m_clock.now_ms() * 1'000'000;
  std::lock_guard lock(m_mutex);
  for (const auto& level : levels_of(policy, key)) {
    if (!level.limits->any()) continue;
    const detail::RateState& s = level_state(level)->rate;
    RateStatus r{level.scope, level.id, *level.limits, 0, 0, s.in_flight};
    r.requests_available = gcra_available(s.request_tat_ns, now_ns, level.limits->requests_per_minute);
    r.tokens_available = gcra_available(s.token_tat_ns, now_ns, level.limits->tokens_per_minute);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace gw::limits
