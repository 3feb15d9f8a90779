#include "core/siem/runner.hpp"

#include <algorithm>
#include <random>

#include <nlohmann/json.hpp>

#include "core/common/log.hpp"

namespace gw::siem {
using namespace std::chrono;

SinkRunner::SinkRunner(RunnerOptions opts, std::unique_ptr<Sink> sink, EventFeed& feed,
                       CursorStore& cursors)
    : m_opts(std::move(opts)), m_sink(std::move(sink)), m_feed(feed), m_cursors(cursors) {
  m_status.name = m_opts.name;
  m_status.type = std::string(m_sink->type());
}

SinkRunner::~SinkRunner() { stop(); }

Status SinkRunner::start() {
  GW_TRY(pos, m_cursors.load(m_opts.name));
  {
    std::lock_guard lock(m_mu);
    m_status.cursor = pos;
  }
  m_stop = false;
  m_thread = std::thread([this] { run(); });
  return {};
}

void SinkRunner::stop() {
  {
    std::lock_guard lock(m_mu);
    m_stop = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

SinkStatus SinkRunner::status() const {
  std::lock_guard lock(m_mu);
  return m_status;
}

bool SinkRunner::wait_for_cursor(uint64_t position, milliseconds timeout) const {
  std::unique_lock lock(m_mu);
  return m_cv.wait_for(lock, timeout, [&] { return m_status.cursor >= position; });
}

void SinkRunner::wait_backoff(milliseconds delay) {
  std::unique_lock lock(m_mu);
  m_cv.wait_for(lock, delay, [&] { return m_stop.load(); });
}

void SinkRunner::run() {
  uint64_t cursor = status().cursor;
  int backoff_ms = m_opts.retry_initial_ms;
  std::mt19937_64 rng(std::random_device{}());
  // Full jitter: a random delay in [backoff/2, backoff], so many gateways restarting together do
  // not hammer a recovering SIEM in lockstep.
  auto next_delay = [&](const DeliveryError& err) {
    int base = err.retryable ? backoff_ms : m_opts.retry_max_ms;
    int ms = std::uniform_int_distribution<int>(base / 2, base)(rng);
    if (err.retry_after_ms) ms = std::clamp(*err.retry_after_ms, ms, m_opts.retry_max_ms);
    backoff_ms = std::min(m_opts.retry_max_ms, backoff_ms * 2);
    return milliseconds(ms);
  };
  auto record_failure = [&](const DeliveryError& err) {
    {
      std::lock_guard lock(m_mu);
      ++m_status.failures;
      m_status.last_error = err.message;
    }
    log::write(log::Level::warn, "siem sink delivery failed",
               {{"sink", m_opts.name}, {"type", m_sink->type()}, {"error", err.message},
                {"retryable", err.retryable}, {"cursor", cursor}});
  };

  while (!m_stop) {
    auto batch = m_feed.read_after(cursor, m_opts.batch_max);
    if (!batch) {
      DeliveryError err{"cannot read the audit store: " + batch.error().message};
      record_failure(err);
      wait_backoff(next_delay(err));
      continue;
    }
    if (batch->empty()) {
      m_feed.wait_for_new(cursor, m_opts.idle_poll);
      continue;
    }
    auto delivered = m_sink->deliver(*batch);
    if (!delivered) {
      record_failure(delivered.error());
      wait_backoff(next_delay(delivered.error()));
      continue;
    }
    uint64_t last = batch->back().position;
    // The events are delivered; if the cursor cannot be saved they are resent after a restart
    // (duplicates, never loss), so delivery goes on.
    if (auto saved = m_cursors.save(m_opts.name, last); !saved)
      log::write(log::Level::error, "siem cursor not saved",
                 {{"sink", m_opts.name}, {"error", saved.error().message}});
    cursor = last;
    backoff_ms = m_opts.retry_initial_ms;
    {
      std::lock_guard lock(m_mu);
      m_status.cursor = last;
      m_status.delivered += batch->size();
      m_status.last_error.clear();
    }
    m_cv.notify_all();
  }
}

}  // namespace gw::siem
