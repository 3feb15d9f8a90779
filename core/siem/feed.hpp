#pragma once
// The source of events for SIEM export: the central gateway's audit store, read in ingest order.
// Each sink keeps its own cursor (the last position it delivered) and reads after it, so a slow
// or dead sink never holds back ingest or another sink.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "core/common/result.hpp"

namespace gw::siem {

struct FeedEvent { uint64_t position = 0; std::string json; };  // position: central ingest order, strictly increasing

class EventFeed {
public:
  virtual ~EventFeed() = default;
  // Up to `max` stored events with position > after, in order. Thread-safe.
  virtual Result<std::vector<FeedEvent>> read_after(uint64_t after, size_t max) = 0;
  // Waits until an event with position > after exists (true) or the timeout passes (false).
  virtual bool wait_for_new(uint64_t after, std::chrono::milliseconds timeout) = 0;
};

// An EventFeed held in memory (tests, and a simple adapter for a store that pushes events).
// append() assigns positions 1, 2, 3, ... and wakes waiters. Thread-safe.
class MemoryFeed final : public EventFeed {
public:
  // Stores one event JSON (an audit record object as text); returns its position.
  uint64_t append(std::string json);
  Result<std::vector<FeedEvent>> read_after(uint64_t after, size_t max) override;
  bool wait_for_new(uint64_t after, std::chrono::milliseconds timeout) override;
  uint64_t last_position() const;

private:
  mutable std::mutex m_mu;
  std::condition_variable m_cv;
  std::vector<FeedEvent> m_events;  // m_events[i].position == i + 1
};

}  // namespace gw::siem
