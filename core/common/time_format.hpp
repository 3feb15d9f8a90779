#pragma once
// Formatting Unix times for people and logs, always in UTC.
#include <cstdint>
#include <string>

namespace gw {

// strftime of `unix_s` in UTC; the default is ISO 8601 ("2026-11-24T23:54:01Z").
std::string utc_time(int64_t unix_s, const char* format = "%Y-%m-%dT%H:%M:%SZ");

}  // namespace gw
