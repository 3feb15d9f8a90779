#include "core/limits/period.hpp"

#include <chrono>
#include <cstdio>

namespace gw::limits {

namespace {
constexpr int64_t k_minute = 60'000;
constexpr int64_t k_hour = 60 * k_minute;
constexpr int64_t k_day = 24 * k_hour;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t days_to_ms(std::chrono::sys_days d) { return d.time_since_epoch().count() * k_day; }
}  // namespace

Span calendar_span(config::Period period, int64_t now_ms) {
  using namespace std::chrono;
  using config::Period;
  int64_t day_index = floor_div(now_ms, k_day);
  switch (period) {
    case Period::hour: {
      int64_t s = floor_div(now_ms, k_hour) * k_hour;
      return {s, s + k_hour};
    }
    case Period::day: return {day_index * k_day, (day_index + 1) * k_day};
    case Period::week: {
      // 1970-01-01 was a Thursday: Monday-based weekday = (days + 3) mod 7.
      int64_t monday = day_index - ((day_index % 7 + 7 + 3) % 7);
      return {monday * k_day, (monday + 7) * k_day};
    }
    default: break;
  }
  year_month_day ymd{sys_days{days{day_index}}};
  int y = static_cast<int>(ymd.year());
  unsigned m = static_cast<unsigned>(ymd.month());
  unsigned first_month = period == Period::month ? m : period == Period::quarter ? (m - 1) / 3 * 3 + 1 : 1;
  unsigned months = period == Period::month ? 1 : period == Period::quarter ? 3 : 12;
  year_month start{year{y}, month{first_month}};
  year_month end = start + std::chrono::months{months};
  return {days_to_ms(sys_days{start / 1}), days_to_ms(sys_days{end / 1})};
}

int64_t rolling_length_ms(config::Period period) {
  using config::Period;
  switch (period) {
    case Period::hour: return k_hour;
    case Period::day: return k_day;
    case Period::week: return 7 * k_day;
    case Period::month: return 30 * k_day;
    case Period::quarter: return 91 * k_day;
    case Period::year: return 365 * k_day;
  }
  return k_day;
}

int64_t rolling_bucket_ms(config::Period period) {
  using config::Period;
  switch (period) {
    case Period::hour: return k_minute;
    case Period::day: return 15 * k_minute;
    case Period::week: return 2 * k_hour;
    case Period::month: return 8 * k_hour;
    case Period::quarter: return k_day;
    case Period::year: return 4 * k_day;
  }
  return k_hour;
}

std::string format_utc_minute(int64_t ms) {
  using namespace std::chrono;
  int64_t day_index = floor_div(ms, k_day);
  int64_t rem = ms - day_index * k_day;
  year_month_day ymd{sys_days{days{day_index}}};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(rem / k_hour), static_cast<int>(rem % k_hour / k_minute));
  return buf;
}

}  // namespace gw::limits
