#pragma once
// Time sources. Code that decides by time takes a Clock& so tests can inject a fake one.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace gw {

class Clock {
public:
  virtual ~Clock() = default;
  // Wall-clock Unix time in milliseconds (for periods, expiry, audit timestamps).
  virtual int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
public:
  int64_t now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
};

// A settable clock for tests.
class FakeClock final : public Clock {
public:
  explicit FakeClock(int64_t start_ms) : m_now(start_ms) {}
  int64_t now_ms() const override { return m_now.load(); }
  void set(int64_t ms) { m_now.store(ms); }
  void advance(int64_t ms) { m_now.fetch_add(ms); }

private:
  std::atomic<int64_t> m_now;
};

// Monotonic nanoseconds, for latency measurement only.
inline int64_t mono_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace gw
