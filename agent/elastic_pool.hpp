#pragma once
// A thread pool for the HTTP listener that grows when every worker is busy (each open client
// connection, and so each stream, holds a worker) up to a hard cap, and shrinks back after idle
// workers have waited a while. httplib's fixed pool would stall new requests while streams run.
#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gw::agent {

class ElasticPool final : public httplib::TaskQueue {
public:
  ElasticPool(size_t min_threads, size_t max_threads);
  ~ElasticPool() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

private:
  void worker();
  size_t m_min, m_max;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::function<void()>> m_jobs;
  size_t m_threads = 0, m_idle = 0;
  bool m_stop = false;
  std::condition_variable m_exited;
};

}  // namespace gw::agent
