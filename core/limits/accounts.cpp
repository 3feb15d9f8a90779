#include "core/limits/accounts.hpp"

#include <algorithm>

#include "core/limits/period.hpp"

namespace gw::limits::detail {

int64_t Account::spent_now(int64_t now, SpendStore& store) {
  if (window == config::Window::calendar) {
    Span span = calendar_span(period, now);
    if (!loaded || span.start_ms != window_start) {
      // First use, or a period boundary passed (also across a restart): read the new period.
      auto rows = store.load(store_key, span.start_ms);
      auto it = rows.find(span.start_ms);
      spent = it == rows.end() ? 0 : it->second;
      window_start = span.start_ms;
      loaded = true;
    }
    return spent;
  }
  int64_t length = rolling_length_ms(period), bucket = rolling_bucket_ms(period);
  int64_t oldest = now - length;  // buckets ending at or before this no longer count
  if (!loaded) {
    buckets = store.load(store_key, oldest - bucket);
    loaded = true;
  }
  while (!buckets.empty() && buckets.begin()->first + bucket <= oldest) buckets.erase(buckets.begin());
  int64_t sum = 0;
  for (const auto& [_, v] : buckets) sum += v;
  return sum;
}

int64_t Account::bucket_for(int64_t now) const {
  if (window == config::Window::calendar) return window_start;
  int64_t b = rolling_bucket_ms(period);
  return now / b * b;
}

int64_t Account::resets_at(int64_t now) const {
  if (window == config::Window::calendar) return calendar_span(period, now).end_ms;
  if (buckets.empty()) return now;
  return buckets.begin()->first + rolling_bucket_ms(period) + rolling_length_ms(period);
}

int64_t gcra_check(int64_t tat_ns, int64_t now_ns, int64_t per_minute, int64_t cost, int64_t& new_tat) {
  // Emission interval T = 1 min / limit; a request of `cost` units advances the TAT by cost*T.
  // It fits when the TAT stays within one minute of now (burst capacity = the per-minute limit).
  __int128 step = static_cast<__int128>(k_minute_ns) * cost / per_minute;
  __int128 tat = static_cast<__int128>(std::max(tat_ns, now_ns)) + step;
  __int128 over = tat - now_ns - k_minute_ns;
  if (over > 0) return static_cast<int64_t>(over);
  new_tat = static_cast<int64_t>(tat);
  return 0;
}

}  // namespace gw::limits::detail
