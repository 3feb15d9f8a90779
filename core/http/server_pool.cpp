#include "core/http/server_pool.hpp"

#include <chrono>
#include <thread>

namespace gw::http {

ServerPool::ServerPool(size_t min_threads, size_t max_threads)
    : m_min(min_threads), m_max(std::max(min_threads, max_threads)) {
  std::lock_guard lock(m_mutex);
  for (size_t i = 0; i < m_min; ++i) {
    ++m_threads;
    std::thread([this] { worker(); }).detach();
  }
}

ServerPool::~ServerPool() { shutdown(); }

void ServerPool::enqueue(std::function<void()> job) {
  std::lock_guard lock(m_mutex);
  m_jobs.push_back(std::move(job));
  if (m_idle < m_jobs.size() && m_threads < m_max) {
    ++m_threads;
    std::thread([this] { worker(); }).detach();
  }
  m_cv.notify_one();
}

void ServerPool::shutdown() {
  std::unique_lock lock(m_mutex);
  m_stop = true;
  m_cv.notify_all();
  m_exited.wait(lock, [&] { return m_threads == 0; });
}

void ServerPool::worker() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    ++m_idle;
    bool got = m_cv.wait_for(lock, std::chrono::seconds(30), [&] { return m_stop || !m_jobs.empty(); });
    --m_idle;
    if (m_jobs.empty() && (m_stop || (!got && m_threads > m_min))) break;
    if (m_jobs.empty()) continue;
    auto job = std::move(m_jobs.front());
    m_jobs.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
  --m_threads;
  // Notified under the lock: shutdown() may destroy the pool as soon as it sees zero.
  m_exited.notify_all();
}

}  // namespace gw::http
