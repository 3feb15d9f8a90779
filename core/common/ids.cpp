#include "core/common/ids.hpp"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstring>

#include "core/common/crypto.hpp"

namespace gw {

namespace {

// Bumped in a forked child so that every thread's generator reseeds: a child must never repeat
// the ids its parent goes on to produce.
std::atomic<uint64_t> g_fork_generation{0};

void on_fork_child() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }

// xoshiro256** seeded once per thread from the CSPRNG. Request ids need uniqueness and
// unpredictability to outsiders, not secrecy: one RAND_bytes per thread instead of per id.
class IdRandom {
public:
  uint64_t next() {
    uint64_t gen = g_fork_generation.load(std::memory_order_relaxed);
    if (!m_seeded || gen != m_generation) seed(gen);
    const uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
  }

private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  void seed(uint64_t gen) {
    static const bool k_registered = [] { return pthread_atfork(nullptr, nullptr, on_fork_child) == 0; }();
    (void)k_registered;
    do {
      std::string b = random_bytes(sizeof m_s);
      std::memcpy(m_s, b.data(), sizeof m_s);
    } while ((m_s[0] | m_s[1] | m_s[2] | m_s[3]) == 0);  // the all-zero state is a fixed point
    m_generation = gen;
    m_seeded = true;
  }
  uint64_t m_s[4] = {};
  uint64_t m_generation = 0;
  bool m_seeded = false;
};

thread_local IdRandom t_random;

}  // namespace

std::string uuid_v7(int64_t unix_ms) {
  unsigned char b[16];
  uint64_t r1 = t_random.next(), r2 = t_random.next();
  std::memcpy(b + 6, &r1, 2);
  std::memcpy(b + 8, &r2, 8);
  auto ms = static_cast<uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>((ms >> (8 * (5 - i))) & 0xff);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++o;  // the dashes, already in place
    out[o++] = k_digits[b[i] >> 4];
    out[o++] = k_digits[b[i] & 15];
  }
  return out;
}

std::string uuid_v7() {
  using namespace std::chrono;
  return uuid_v7(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace gw
