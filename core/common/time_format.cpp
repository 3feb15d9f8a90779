#include "core/common/time_format.hpp"

#include <ctime>

namespace gw {

std::string utc_time(int64_t unix_s, const char* format) {
  time_t t = static_cast<time_t>(unix_s);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

}  // namespace gw
