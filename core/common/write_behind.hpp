#pragma once
// WriteBehind<Row>: takes rows from request threads without blocking on storage and hands them
// to one writer thread in batches (the sink writes a whole batch, e.g. in one SQLite transaction).
// Keeps database commits, and the fsyncs of their checkpoints, off the agents' latency path.
// flush() waits until every row pushed before it was written; readers call it first so they never
// miss a pending row. The destructor (or stop()) writes what is queued, then ends the thread.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gw {

template <class Row>
class WriteBehind {
public:
  using Sink = std::function<void(const std::vector<Row>&)>;
  explicit WriteBehind(Sink sink) : m_sink(std::move(sink)), m_thread([this] { run(); }) {}
  ~WriteBehind() { stop(); }
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  void push(Row row) {
    {
      std::lock_guard lock(m_mutex);
      m_queue.push_back(std::move(row));
      ++m_pushed;
    }
    m_wake.notify_one();
  }

  void flush() {
    std::unique_lock lock(m_mutex);
    uint64_t target = m_pushed;
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

private:
  void run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      m_wake.wait(lock, [&] { return m_stop || !m_queue.empty(); });
      if (m_queue.empty()) break;  // stopping, and everything is written
      std::vector<Row> batch;
      batch.swap(m_queue);
      lock.unlock();
      m_sink(batch);
      lock.lock();
      m_written += batch.size();
      m_written_cv.notify_all();
    }
    m_stopped = true;
    m_written_cv.notify_all();
  }

  Sink m_sink;
  std::mutex m_mutex;
  std::condition_variable m_wake, m_written_cv;
  std::vector<Row> m_queue;
  uint64_t m_pushed = 0, m_written = 0;
  bool m_stop = false, m_stopped = false;
  std::thread m_thread;  // last: starts after every other member exists
};

}  // namespace gw
