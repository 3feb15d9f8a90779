#pragma once
// Inline byte searches for the scanning hot path. Texts there are cut into many short runs
// (source lines of ~40 bytes between '\n' escapes), where a libc memchr call costs more than the
// search itself; these loops are inlined and use SSE2 (baseline on x86-64) 16 bytes at a time,
// with a scalar loop elsewhere and for the tail. find_byte_scalar() is the reference the tests
// compare the vector path against.
#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gw::json {

// The first c in [p, end), or end.
inline const char* find_byte_scalar(const char* p, const char* end, char c) {
  while (p < end && *p != c) ++p;
  return p;
}

// The first c in [p, end), or end.
inline const char* find_byte(const char* p, const char* end, char c) {
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(c);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  return find_byte_scalar(p, end, c);
}

// Calls f(offset) for every c in text[0, n), in increasing order.
template <class F>
inline void for_each_byte(const char* text, size_t n, char c, F&& f) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(c);
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + i));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)));
    while (mask != 0) {
      f(i + static_cast<size_t>(__builtin_ctz(mask)));
      mask &= mask - 1;
    }
  }
#endif
  for (; i < n; ++i)
    if (text[i] == c) f(i);
}

}  // namespace gw::json
