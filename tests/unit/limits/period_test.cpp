#include <doctest/doctest.h>

#include "core/limits/period.hpp"

using gw::config::Period;
using gw::limits::calendar_span;
using gw::limits::format_utc_minute;

namespace {
// 2026-11-24T19:34:15Z, a Tuesday.
constexpr int64_t k_now = 1795548855000;
}

TEST_CASE("period: calendar spans are aligned to UTC boundaries") {
  CHECK(format_utc_minute(k_now) == "2026-11-24T19:34Z");
  auto span = [](Period p) {
    auto s = calendar_span(p, k_now);
    return format_utc_minute(s.start_ms) + " " + format_utc_minute(s.end_ms);
  };
  CHECK(span(Period::hour) == "2026-11-24T19:00Z 2026-11-24T20:00Z");
  CHECK(span(Period::day) == "2026-11-24T00:00Z 2026-11-25T00:00Z");
  CHECK(span(Period::week) == "2026-11-23T00:00Z 2026-11-30T00:00Z");
  CHECK(span(Period::month) == "2026-11-01T00:00Z 2026-12-01T00:00Z");
  CHECK(span(Period::quarter) == "2026-10-01T00:00Z 2027-01-01T00:00Z");
  CHECK(span(Period::year) == "2026-01-01T00:00Z 2027-01-01T00:00Z");
}

TEST_CASE("period: boundaries belong to the next period; weeks start on Monday") {
  auto monday = calendar_span(Period::week, k_now).start_ms;
  CHECK(calendar_span(Period::week, monday).start_ms == monday);
  CHECK(calendar_span(Period::week, monday - 1).end_ms == monday);
  // 1970-01-01 was a Thursday: its week started Monday 1969-12-29.
  CHECK(format_utc_minute(calendar_span(Period::week, 0).start_ms) == "1969-12-29T00:00Z");
  // February of a leap year.
  auto feb = calendar_span(Period::month, 1709164800000);  // 2024-02-29T00:00Z
  CHECK(format_utc_minute(feb.start_ms) == "2024-02-01T00:00Z");
  CHECK(format_utc_minute(feb.end_ms) == "2024-03-01T00:00Z");
  auto q1 = calendar_span(Period::quarter, 1709164800000);
  CHECK(format_utc_minute(q1.end_ms) == "2024-04-01T00:00Z");
}
