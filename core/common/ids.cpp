#include "core/common/ids.hpp"

#include <chrono>

#include "core/common/crypto.hpp"

namespace gw {

std::string uuid_v7(int64_t unix_ms) {
  std::string b = random_bytes(16);
  auto ms = static_cast<uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<char>((ms >> (8 * (5 - i))) & 0xff);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x70);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string hex = to_hex(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string uuid_v7() {
  using namespace std::chrono;
  return uuid_v7(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace gw
