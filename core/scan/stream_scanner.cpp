#include "core/scan/stream_scanner.hpp"

#include <algorithm>

namespace gw::scan {

StreamScanner::StreamScanner(const Scanner& scanner, size_t window, size_t tail)
    : m_scanner(scanner), m_window(std::max<size_t>(window, 64)), m_tail(std::min(tail, m_window / 2)),
      m_rescan_every(std::max<size_t>(m_tail, m_window / 8)) {}

std::vector<Finding> StreamScanner::collect(bool final) {
  std::vector<Finding> out;
  size_t end = m_buf.size();
  for (auto& f : m_scanner.scan(m_buf)) {
    size_t match_end = f.match_offset + f.match_length;
    if (!final && match_end + m_tail > end) continue;  // could still grow: wait for more text
    size_t abs = m_base + f.offset;
    if (!m_reported.emplace(abs, f.rule_id).second) continue;
    f.offset = abs;
    f.match_offset += m_base;
    f.line = f.column = 0;  // lines are not tracked across a stream
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> StreamScanner::feed(std::string_view chunk) {
  m_buf.append(chunk);
  m_unscanned += chunk.size();
  std::vector<Finding> out;
  // Rescanning the window for every small delta would cost window x deltas: scan once enough new
  // text arrived (amortised cost: a few times the stream length), and always before trimming.
  if (m_unscanned >= m_rescan_every || m_buf.size() > m_window) {
    out = collect(false);
    m_unscanned = 0;
  }
  if (m_buf.size() > m_window) {
    size_t drop = m_buf.size() - m_window;
    m_buf.erase(0, drop);
    m_base += drop;
    std::erase_if(m_reported, [&](const auto& r) { return r.first < m_base; });
  }
  return out;
}

std::vector<Finding> StreamScanner::finish() {
  m_unscanned = 0;
  return collect(true);
}

size_t StreamScanner::safe_offset() const {
  size_t t = total();
  return t > m_window ? t - m_window : 0;
}

}  // namespace gw::scan
