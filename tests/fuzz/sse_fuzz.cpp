// Fuzzes the SSE parser: no crash, and the events do not depend on how the stream is cut into
// chunks (the first input byte picks the chunk sizes; the rest is the stream).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/sse.hpp"

namespace {
std::vector<std::string> events(std::string_view stream, size_t chunk, size_t max_bytes) {
  std::vector<std::string> out;
  gw::http::SseParser p(
      [&](const gw::http::SseEvent& e) { out.push_back(e.event + '\x1f' + e.id + '\x1f' + e.data); },
      max_bytes);
  for (size_t i = 0; i < stream.size(); i += chunk) p.feed(stream.substr(i, chunk));
  p.finish();
  if (p.events() != out.size()) std::abort();
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = 1 + data[0] % 17;
  size_t max_bytes = data[0] & 0x80 ? 64 : 1 << 20;
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto whole = events(stream, stream.size() + 1, max_bytes);
  if (events(stream, chunk, max_bytes) != whole) std::abort();
  if (events(stream, 1, max_bytes) != whole) std::abort();
  return 0;
}
