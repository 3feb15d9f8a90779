#pragma once
// Budget periods in UTC. Calendar periods are aligned: hour, day (00:00Z), week (Monday 00:00Z),
// month, quarter (Jan/Apr/Jul/Oct 1st), year. Rolling periods are the last hour/24h/7d/30d/91d/365d
// and are tracked in fixed buckets (rolling_bucket_ms) so spend ages out gradually.
#include <cstdint>
#include <string>

#include "core/config/policy.hpp"

namespace gw::limits {

struct Span {
  int64_t start_ms = 0;  // inclusive
  int64_t end_ms = 0;    // exclusive: the instant the period resets
};

// The calendar period containing `now_ms`.
Span calendar_span(config::Period period, int64_t now_ms);
// Length of a rolling period.
int64_t rolling_length_ms(config::Period period);
// Bucket size used to track a rolling period (1/60 .. 1/96 of it, on round boundaries).
int64_t rolling_bucket_ms(config::Period period);
// "2026-11-25T00:00Z" (minute precision, UTC).
std::string format_utc_minute(int64_t ms);

}  // namespace gw::limits
