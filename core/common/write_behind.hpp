#pragma once
// WriteBehind<Row>: takes rows from request threads without blocking on storage and hands them
// to one writer thread in batches (the sink writes a whole batch, e.g. in one SQLite transaction).
// Keeps database commits, and the fsyncs of their checkpoints, off the agents' latency path.
//
// Batching by deadline (ADR 0059): the first row pushed into an empty queue wakes the writer,
// which then waits until `max_delay` after that moment (or until `max_batch` rows are queued)
// before taking the batch; later pushes do not wake it. So under load a request costs no thread
// wake-up of its own (one per batch instead of one per row), and a row stays in memory at most
// ~max_delay plus one batch's write before the sink has it: a crash loses at most that window.
// flush() waits until every row pushed before it was written, and makes the writer take the
// queue at once; readers call it first so they never miss a pending row. The destructor (or
// stop()) writes what is queued, then ends the thread.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gw {

struct WriteBehindOptions {
  std::chrono::milliseconds max_delay{50};  // 0: take every row at once (one wake-up per push)
  size_t max_batch = 512;                   // a batch this big is taken before the deadline
};

template <class Row>
class WriteBehind {
public:
  using Sink = std::function<void(const std::vector<Row>&)>;
  explicit WriteBehind(Sink sink, WriteBehindOptions options = {})
      : m_sink(std::move(sink)), m_options(options), m_thread([this] { run(); }) {}
  ~WriteBehind() { stop(); }
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  void push(Row row) {
    bool wake;
    {
      std::lock_guard lock(m_mutex);
      m_queue.push_back(std::move(row));
      ++m_pushed;
      wake = m_queue.size() == 1 || m_queue.size() == m_options.max_batch;
    }
    if (wake) m_wake.notify_one();
  }

  void flush() {
    std::unique_lock lock(m_mutex);
    uint64_t target = m_pushed;
    if (m_written >= target || m_stopped) return;
    m_urgent = true;
    m_wake.notify_one();
    m_written_cv.wait(lock, [&] { return m_written >= target || m_stopped; });
  }

  void stop() {
    {
      std::lock_guard lock(m_mutex);
      if (m_stop) return;
      m_stop = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable()) m_thread.join();
  }

  // Batches handed to the sink so far (for tests and benchmarks).
  uint64_t batches() const {
    std::lock_guard lock(m_mutex);
    return m_batches;
  }

private:
  void run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      m_wake.wait(lock, [&] { return m_stop || !m_queue.empty(); });
      if (m_options.max_delay.count() > 0) {
        auto deadline = std::chrono::steady_clock::now() + m_options.max_delay;
        m_wake.wait_until(lock, deadline, [&] {
          return m_stop || m_urgent || m_queue.size() >= m_options.max_batch;
        });
      }
      if (m_queue.empty()) break;  // stopping, and everything is written
      std::vector<Row> batch;
      batch.swap(m_queue);
      m_urgent = false;
      lock.unlock();
      m_sink(batch);
      lock.lock();
      m_written += batch.size();
      ++m_batches;
      m_written_cv.notify_all();
    }
    m_stopped = true;
    m_written_cv.notify_all();
  }

  Sink m_sink;
  WriteBehindOptions m_options;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake, m_written_cv;
  std::vector<Row> m_queue;
  uint64_t m_pushed = 0, m_written = 0, m_batches = 0;
  bool m_stop = false, m_stopped = false, m_urgent = false;
  std::thread m_thread;  // last: starts after every other member exists
};

}  // namespace gw
