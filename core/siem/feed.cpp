#include "core/siem/feed.hpp"

#include <algorithm>

namespace gw::siem {

uint64_t MemoryFeed::append(std::string json) {
  uint64_t pos;
  {
    std::lock_guard lock(m_mu);
    pos = m_events.size() + 1;
    m_events.push_back(FeedEvent{pos, std::move(json)});
  }
  m_cv.notify_all();
  return pos;
}

Result<std::vector<FeedEvent>> MemoryFeed::read_after(uint64_t after, size_t max) {
  std::lock_guard lock(m_mu);
  std::vector<FeedEvent> out;
  if (after >= m_events.size()) return out;
  size_t n = std::min<size_t>(max, m_events.size() - after);
  out.assign(m_events.begin() + static_cast<std::ptrdiff_t>(after),
             m_events.begin() + static_cast<std::ptrdiff_t>(after + n));
  return out;
}

bool MemoryFeed::wait_for_new(uint64_t after, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mu);
  return m_cv.wait_for(lock, timeout, [&] { return m_events.size() > after; });
}

uint64_t MemoryFeed::last_position() const {
  std::lock_guard lock(m_mu);
  return m_events.size();
}

}  // namespace gw::siem
