#pragma once
// Drives one Sink on its own thread: read after the cursor, deliver, save the cursor; on failure
// back off exponentially with jitter and offer the same events again. A slow or dead sink only
// delays itself: ingest and the other sinks never wait for it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/siem/cursor.hpp"
#include "core/siem/feed.hpp"
#include "core/siem/sink.hpp"

namespace gw::siem {

struct RunnerOptions {
  std::string name;          // the cursor key
  size_t batch_max = 500;
  int retry_initial_ms = 500;
  int retry_max_ms = 30'000;
  std::chrono::milliseconds idle_poll{250};  // longest wait for new events before rechecking stop
};

struct SinkStatus {
  std::string name;
  std::string type;
  uint64_t cursor = 0;       // feed position of the last delivered event
  uint64_t delivered = 0;    // events delivered since start (a resent batch counts again)
  uint64_t failures = 0;     // failed delivery attempts since start
  std::string last_error;    // empty after a success
};

class SinkRunner {
public:
  SinkRunner(RunnerOptions opts, std::unique_ptr<Sink> sink, EventFeed& feed, CursorStore& cursors);
  ~SinkRunner();  // stops and joins
  // Loads the cursor and starts the thread. Fails (and does not start) when the cursor cannot be read.
  Status start();
  // Asks the thread to stop and joins it; a delivery in progress finishes (bounded by the sink's
  // timeouts); its events are offered again on the next start.
  void stop();
  SinkStatus status() const;
  // Waits until the cursor reaches `position` (true) or the timeout passes (false).
  bool wait_for_cursor(uint64_t position, std::chrono::milliseconds timeout) const;

private:
  void run();
  void wait_backoff(std::chrono::milliseconds delay);

  RunnerOptions m_opts;
  std::unique_ptr<Sink> m_sink;
  EventFeed& m_feed;
  CursorStore& m_cursors;
  std::thread m_thread;
  std::atomic<bool> m_stop{false};
  mutable std::mutex m_mu;
  mutable std::condition_variable m_cv;  // cursor advanced, or stop requested
  SinkStatus m_status;
};

}  // namespace gw::siem
