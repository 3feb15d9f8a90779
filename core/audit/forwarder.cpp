#include "core/audit/forwarder.hpp"

#include <nlohmann/json.hpp>

#include "core/audit/spool.hpp"
#include "core/common/crypto.hpp"
#include "core/common/log.hpp"

namespace gw::audit {
using nlohmann::json;

json to_json(const ForwarderStatus& s) {
  return {{"central", s.central},       {"state", s.state},         {"acked_seq", s.acked_seq},
          {"spool_seq", s.spool_seq},   {"lag", s.lag},             {"batches", s.batches},
          {"records", s.records},       {"failures", s.failures},   {"last_ack_ms", s.last_ack_ms},
          {"next_attempt_ms", s.next_attempt_ms}, {"last_error", s.last_error}, {"last_alarms", s.last_alarms}};
}

Forwarder::Forwarder(Spool& spool, DeviceKey key, std::unique_ptr<ShipTransport> transport, ForwarderOptions opts,
                     const Clock& clock)
    : m_spool(spool), m_key(std::move(key)), m_transport(std::move(transport)), m_opts(opts), m_clock(clock),
      m_reader(spool.dir()), m_rng(std::random_device{}()) {
  m_next = spool.acked_seq() + 1;
  m_status.central = m_transport->describe();
  m_status.state = "starting";
  m_status.acked_seq = spool.acked_seq();
}

Forwarder::~Forwarder() { stop(); }

void Forwarder::start() {
  if (!m_thread.joinable()) m_thread = std::thread([this] { run(); });
}

void Forwarder::stop() {
  {
    std::lock_guard lk(m_mu);
    m_stop = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
  std::lock_guard lk(m_mu);
  m_status.state = "stopped";
}

void Forwarder::poke() {
  {
    std::lock_guard lk(m_mu);
    m_poked = true;
  }
  m_cv.notify_all();
}

ForwarderStatus Forwarder::status() const {
  std::lock_guard lk(m_mu);
  return status_locked();
}

ForwarderStatus Forwarder::status_locked() const {
  ForwarderStatus s = m_status;
  s.spool_seq = m_spool.last_seq();
  s.acked_seq = m_spool.acked_seq();
  s.lag = s.spool_seq > s.acked_seq ? s.spool_seq - s.acked_seq : 0;
  return s;
}

bool Forwarder::wait_for_ack(uint64_t seq, std::chrono::milliseconds timeout) {
  std::unique_lock lk(m_mu);
  return m_progress_cv.wait_for(lk, timeout, [&] { return m_spool.acked_seq() >= seq; });
}

bool Forwarder::wait_until(const std::function<bool(const ForwarderStatus&)>& pred, std::chrono::milliseconds timeout) {
  std::unique_lock lk(m_mu);
  return m_progress_cv.wait_for(lk, timeout, [&] { return pred(status_locked()); });
}

std::string Forwarder::batch_body(const std::string& device_id, const DeviceKey& key,
                                  const std::vector<std::string>& lines) {
  return json{{"v", 1}, {"device_id", device_id}, {"public_key", to_hex(key.public_raw())}, {"records", lines}}.dump();
}

int64_t Forwarder::backoff_ms(int failures) {
  int64_t d = m_opts.min_backoff_ms;
  for (int i = 1; i < failures && d < m_opts.max_backoff_ms; ++i) d *= 2;
  d = std::min(d, m_opts.max_backoff_ms);
  // Full jitter over the upper half: devices that lost the central together do not return together.
  std::uniform_int_distribution<int64_t> dist(d / 2, d);
  return dist(m_rng);
}

bool Forwarder::ship_once() {
  uint64_t through = m_spool.last_seq();
  m_next = std::max(m_next, uint64_t{1});
  if (m_next > through) return false;
  SpoolSlice slice = m_reader.read(m_next, through, m_opts.max_batch_records, m_opts.max_batch_bytes);
  if (slice.lines.empty()) return false;
  {
    std::lock_guard lk(m_mu);
    m_status.state = "shipping";
  }
  std::string body = batch_body(m_spool.device_id(), m_key, slice.lines);
  auto sig = m_key.sign(body);
  Result<ShipReply> reply = sig ? m_transport->send(body, "ed25519=" + to_hex(*sig))
                                : Result<ShipReply>(std::unexpected(sig.error()));
  std::lock_guard lk(m_mu);
  if (!reply) {
    ++m_status.failures;
    bool refused = reply.error().code == Errc::denied || reply.error().code == Errc::invalid_argument;
    int64_t wait = refused ? m_opts.max_backoff_ms : backoff_ms(m_status.failures);
    m_status.state = refused ? "refused" : "retrying";
    m_status.last_error = reply.error().message;
    m_status.next_attempt_ms = m_clock.now_ms() + wait;
    if (m_status.failures == 1 || refused)
      log::write(log::Level::warn, "audit forwarder: central unavailable",
                 {{"central", m_status.central}, {"error", reply.error().message}, {"retry_in_ms", wait}});
    m_progress_cv.notify_all();
    return true;
  }
  uint64_t ack = reply->acked_seq;
  if (ack + 1 < slice.first_seq) {
    // The central holds less than our cursor says (restored or replaced store): resend from there.
    log::write(log::Level::warn, "audit forwarder: central is behind the ship cursor; resending",
               {{"central_acked", ack}, {"cursor", slice.first_seq - 1}});
    m_next = ack + 1;
  } else {
    m_next = std::max(slice.last_seq, std::min(ack, through)) + 1;
    if (Status s = m_spool.set_acked_seq(std::min(ack, through)); !s)
      log::write(log::Level::warn, "audit forwarder: cannot persist the ship cursor", {{"error", s.error().message}});
  }
  if (m_status.failures > 0)
    log::write(log::Level::info, "audit forwarder: central reachable again", {{"central", m_status.central}});
  m_status.failures = 0;
  m_status.last_error.clear();
  m_status.next_attempt_ms = 0;
  m_status.last_ack_ms = m_clock.now_ms();
  m_status.batches++;
  m_status.records += slice.lines.size();
  if (!reply->alarms.empty()) m_status.last_alarms = reply->alarms;
  m_status.state = "idle";
  m_progress_cv.notify_all();
  return true;
}

void Forwarder::run() {
  std::unique_lock lk(m_mu);
  while (!m_stop) {
    lk.unlock();
    bool worked = ship_once();
    lk.lock();
    if (m_stop) break;
    int64_t wait_ms = m_opts.idle_poll_ms;
    if (m_status.failures > 0) wait_ms = std::max<int64_t>(0, m_status.next_attempt_ms - m_clock.now_ms());
    else if (worked) continue;  // more may be waiting: ship the next batch at once
    if (m_status.state == "starting") m_status.state = "idle";
    m_cv.wait_for(lk, std::chrono::milliseconds(wait_ms), [this] { return m_stop || m_poked; });
    m_poked = false;
  }
}

}  // namespace gw::audit
