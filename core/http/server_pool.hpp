#pragma once
// The worker pool behind gw::http::Server: starts with min threads, adds one whenever a job
// arrives and no worker is idle (up to max), and lets extra workers exit after 30 s idle. Each
// job is one client connection, held for as long as the connection is open.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace gw::http {

class ServerPool {
public:
  ServerPool(size_t min_threads, size_t max_threads);
  ~ServerPool();  // shutdown()
  // Runs job on a worker; when every worker is busy and the pool is at max, the job waits.
  void enqueue(std::function<void()> job);
  // Runs the jobs already queued, then waits until every worker has exited.
  void shutdown();

private:
  void worker();
  size_t m_min, m_max;
  std::mutex m_mutex;
  std::condition_variable m_cv, m_exited;
  std::deque<std::function<void()>> m_jobs;
  size_t m_threads = 0, m_idle = 0;
  bool m_stop = false;
};

}  // namespace gw::http
