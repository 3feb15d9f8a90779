#pragma once
// Scanning streamed model output (text deltas of an SSE response) in a sliding window, across
// event boundaries, without holding more than the window.
//
// feed() appends a chunk of text and returns the findings that are now final: a match is final
// once at least `tail` bytes follow it (so a longer secret still arriving cannot extend it) or at
// finish(). Offsets are absolute in the concatenated stream. Secrets longer than the window are
// not found. Not thread-safe: one instance per response.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/scan/scanner.hpp"

namespace gw::scan {

class StreamScanner {
public:
  // window: bytes of history kept (the longest secret that can be found); tail: bytes that must
  // follow a match before it is reported (<= window / 2).
  explicit StreamScanner(const Scanner& scanner, size_t window = 16384, size_t tail = 256);

  std::vector<Finding> feed(std::string_view chunk);
  std::vector<Finding> finish();

  // Absolute stream offset before which no finding can start any more: text before it may be
  // released downstream unchanged (used by redacting relays to bound what they hold back).
  size_t safe_offset() const;
  size_t total() const { return m_base + m_buf.size(); }

private:
  std::vector<Finding> collect(bool final);

  const Scanner& m_scanner;
  size_t m_window, m_tail, m_rescan_every;
  size_t m_unscanned = 0;
  std::string m_buf;      // the last bytes of the stream
  size_t m_base = 0;      // absolute offset of m_buf[0]
  std::set<std::pair<size_t, std::string>> m_reported;  // (absolute offset, rule) still in window
};

}  // namespace gw::scan
