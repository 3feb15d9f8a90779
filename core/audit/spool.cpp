#include "core/audit/spool.hpp"
#include "core/audit/spool_batch.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "core/audit/record.hpp"
#include "core/audit/segments.hpp"
#include "core/common/clock.hpp"
#include "core/common/ids.hpp"
#include "core/common/log.hpp"

namespace gw::audit {


Result<AppendReceipt> AppendTicket::wait() const {
  if (!m_batch->done && m_spool) m_spool->urge();
  std::unique_lock lk(m_batch->mu);
  m_batch->cv.wait(lk, [&] { return m_batch->done.load(); });
  if (m_batch->error) return std::unexpected(*m_batch->error);
  return AppendReceipt{m_batch->seqs[m_index], m_batch->ids[m_index]};
}

bool AppendTicket::ready() const { return m_batch->done; }

Spool::Spool(SpoolOptions options, DeviceKey key, const Clock& clock, FileSystem& fs)
    : m_opts(std::move(options)), m_key(std::move(key)), m_clock(clock), m_fs(fs),
      m_prev(k_genesis_prev) {
  m_device_id = m_opts.device_id.empty() ? "dev-" + m_key.key_id() : m_opts.device_id;
  if (m_opts.gw_version.empty()) m_opts.gw_version = GW_VERSION;
  m_open_batch = std::make_shared<detail::Batch>();
}

Result<std::unique_ptr<Spool>> Spool::open(SpoolOptions options, DeviceKeyStore& keys,
                                           const Clock* clock, FileSystem* fs) {
  if (options.dir.empty()) return fail(Errc::config, "audit spool: no directory configured");
  GW_TRY(key, keys.load_or_create());
  std::unique_ptr<SystemClock> own_clock;
  std::unique_ptr<PosixFileSystem> own_fs;
  if (!clock) clock = (own_clock = std::make_unique<SystemClock>()).get();
  if (!fs) fs = (own_fs = std::make_unique<PosixFileSystem>()).get();
  std::unique_ptr<Spool> spool(new Spool(std::move(options), std::move(key), *clock, *fs));
  spool->m_own_clock = std::move(own_clock);
  spool->m_own_fs = std::move(own_fs);
  GW_CHECK(spool->recover());
  if (!spool->m_pending.empty()) spool->m_pending_since_ns = mono_ns();
  spool->m_writer = std::thread([s = spool.get()] { s->writer_loop(); });
  return spool;
}

Spool::~Spool() { close(); }

void Spool::close() {
  {
    std::lock_guard lk(m_mu);
    if (m_stopping && !m_writer.joinable()) return;
    m_stopping = true;
  }
  m_wake.notify_one();
  if (m_writer.joinable()) m_writer.join();
}

size_t Spool::queued() const {
  std::lock_guard lk(m_mu);
  return m_pending.size();
}

void Spool::urge() {
  {
    std::lock_guard lk(m_mu);
    m_urged = true;
  }
  m_wake.notify_one();
}

AppendTicket Spool::append(AuditEvent ev) {
  std::shared_ptr<detail::Batch> batch;
  size_t index;
  bool wake = false;
  {
    std::lock_guard lk(m_mu);
    if (m_stopping) {
      auto closed = std::make_shared<detail::Batch>();
      closed->finish(Error{Errc::unavailable, "audit spool is closed"});
      return AppendTicket(closed, 0);
    }
    batch = m_open_batch;
    index = batch->count++;
    if (m_pending.empty()) {
      m_pending_since_ns = mono_ns();
      wake = !m_writer_ticking;  // a ticking writer looks at the queue's age by itself
    }
    m_pending.push_back(Pending{std::move(ev), false});
  }
  if (wake) m_wake.notify_one();
  return AppendTicket(std::move(batch), index, this);
}

Result<AppendReceipt> Spool::append_durable(AuditEvent ev, OnFailure then) {
  uint64_t used = m_bytes.load();
  if (used >= m_opts.max_bytes) {
    uint64_t unshipped = m_durable_seq.load() - std::min(m_durable_seq.load(), m_acked.load());
    return fail(Errc::unavailable,
                "the audit spool is full (" + std::to_string(used >> 20) + " MiB of " +
                    std::to_string(m_opts.max_bytes >> 20) + " MiB, " + std::to_string(unshipped) +
                    " records not yet shipped to the central gateway), so this request is "
                    "refused; it will be accepted again once the central gateway has received "
                    "them, or raise the spool size cap");
  }
  std::shared_ptr<detail::Batch> batch;
  size_t index;
  {
    std::unique_lock lk(m_mu);
    if (m_stopping) return fail(Errc::unavailable, "audit spool is closed");
    batch = m_open_batch;
    index = batch->count++;
    if (m_pending.empty()) m_pending_since_ns = mono_ns();
    m_pending.push_back(Pending{std::move(ev), true, then == OnFailure::forward});
    // Wait for a sync in flight (it does not hold this record), then commit unless the turn's
    // next holder already took this record with its batch.
    m_turn.wait(lk, [&] { return batch->done || !m_turn_taken; });
    if (!batch->done) commit_pending(lk, false);
  }
  return AppendTicket(std::move(batch), index).wait();
}

Status Spool::checkpoint_now() {
  std::shared_ptr<detail::Batch> batch;
  {
    std::lock_guard lk(m_mu);
    if (m_stopping) return fail(Errc::unavailable, "audit spool is closed");
    m_checkpoint_requested = true;
    batch = m_open_batch;
  }
  m_wake.notify_one();
  std::unique_lock lk(batch->mu);
  batch->cv.wait(lk, [&] { return batch->done.load(); });
  if (batch->error) return std::unexpected(*batch->error);
  return {};
}

void Spool::commit_pending(std::unique_lock<std::mutex>& lk, bool force_checkpoint) {
  m_turn_taken = true;
  std::vector<Pending> items;
  items.swap(m_pending);
  auto batch = std::move(m_open_batch);
  m_open_batch = std::make_shared<detail::Batch>();
  m_urged = false;
  force_checkpoint = force_checkpoint || m_checkpoint_requested;  // checkpoint_now waits on this batch
  m_checkpoint_requested = false;
  lk.unlock();
  write_batch(items, *batch, force_checkpoint);  // finishes the batch: its callers wake
  lk.lock();
  m_turn_taken = false;
  m_turn.notify_all();
}

// The spool's own thread: writes non-durable records once the oldest has waited lazy_write_ms
// (or at once when a ticket is waited on), time-based and requested checkpoints, and the drain on
// close. While records keep arriving it wakes every lazy_write_ms by itself ("ticking"), so an
// append never has to wake it; once the queue stays empty it sleeps until woken.
void Spool::writer_loop() {
  const auto lazy = std::chrono::milliseconds(std::max<int64_t>(m_opts.lazy_write_ms, 0));
  const auto idle = std::chrono::milliseconds(std::clamp<int64_t>(m_opts.checkpoint_every_ms, 10, 1000));
  std::unique_lock lk(m_mu);
  m_writer_ticking = !m_pending.empty();
  for (;;) {
    auto work = [&] { return m_stopping || m_checkpoint_requested || m_urged; };
    if (m_writer_ticking)
      m_wake.wait_for(lk, lazy, work);
    else
      m_wake.wait_for(lk, idle, [&] { return work() || !m_pending.empty(); });
    const bool stop = m_stopping;
    bool force = m_checkpoint_requested;
    const bool overdue = !m_pending.empty() && mono_ns() - m_pending_since_ns >= lazy.count() * 1'000'000;
    if (!stop && !force && !m_urged && !overdue) {
      bool due = m_pending.empty() && m_since_checkpoint > 0 &&
                 m_clock.now_ms() - m_last_checkpoint_ms >= m_opts.checkpoint_every_ms;
      m_writer_ticking = !m_pending.empty();
      if (!due) continue;
      force = true;
    }
    m_turn.wait(lk, [&] { return !m_turn_taken; });
    if (!m_pending.empty() || force) commit_pending(lk, force);
    m_writer_ticking = false;  // the next append wakes it
    if (stop && m_pending.empty()) break;
  }
  // Seal the tail so a later edit of the last record is evident (m_since_checkpoint is writer
  // state: read while holding the turn).
  m_turn.wait(lk, [&] { return !m_turn_taken; });
  if (m_since_checkpoint > 0) commit_pending(lk, true);
}

AuditEvent Spool::make_notice(EventKind kind, std::string reason) const {
  AuditEvent ev;
  ev.kind = kind;
  ev.reason = std::move(reason);
  return ev;
}

void Spool::write_batch(std::vector<Pending>& items, detail::Batch& batch, bool force_checkpoint) {
  batch.seqs.assign(items.size(), 0);
  batch.ids.assign(items.size(), {});
  auto fail_all = [&](const Error& err) {
    for (const auto& p : items)
      (p.forward_on_failure ? m_unaudited_forwards : p.durable ? m_refused_admissions : m_lost_events)++;
    if (err.message != m_last_error)
      log::write(log::Level::error, "audit spool write failed", {{"error", err.message}});
    m_last_error = err.message;
    batch.finish(Error{err.code, "the audit spool cannot record this request (" + err.message +
                                     "), so it is refused; free disk space or fix the permissions of " +
                                     m_opts.dir.string()});
  };
  if (m_needs_truncate) {
    if (auto st = m_file->truncate(m_seg_size); !st) return fail_all(st.error());
    m_needs_truncate = false;
  }

  const int64_t now = m_clock.now_ms();
  uint64_t seq = m_next_seq;
  std::string prev = m_prev;
  uint64_t since = m_since_checkpoint;
  std::string buf;
  auto add_line = [&](const std::string& line) {
    buf.append(line).push_back('\n');
    prev = record_hash(line);
    ++seq;
    ++since;
  };
  auto stamp = [&](AuditEvent& ev) {
    ev.seq = seq;
    ev.prev = prev;
    if (ev.id.empty()) ev.id = uuid_v7(now);
    if (ev.time_ms == 0) ev.time_ms = now;
    if (ev.device_id.empty()) ev.device_id = m_device_id;
    if (ev.gw_version.empty()) ev.gw_version = m_opts.gw_version;
  };

  const bool writes_gap = m_lost_events > 0 || m_refused_admissions > 0 || m_unaudited_forwards > 0;
  if (writes_gap) {
    std::string reason = std::to_string(m_lost_events) + " audit records could not be written and are lost; " +
                         std::to_string(m_refused_admissions) + " requests were refused because the " +
                         "spool could not record them";
    if (m_unaudited_forwards > 0)
      reason += "; " + std::to_string(m_unaudited_forwards) +
                " requests were forwarded without their admitted record (audit fail_mode = open)";
    AuditEvent gap = make_notice(EventKind::gap, reason + " (" + m_last_error + ")");
    stamp(gap);
    add_line(serialize_event(gap));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    AuditEvent& ev = items[i].ev;
    stamp(ev);
    batch.seqs[i] = seq;
    batch.ids[i] = ev.id;
    add_line(serialize_event(ev));
  }
  const bool checkpoint = since > 0 && (force_checkpoint || since >= m_opts.checkpoint_every_events ||
                                        now - m_last_checkpoint_ms >= m_opts.checkpoint_every_ms);
  std::string checkpoint_line;
  if (checkpoint) {
    auto line = make_checkpoint_line(seq, prev, now, m_device_id, m_key);
    if (!line) return fail_all(line.error());
    checkpoint_line = *line;
    add_line(checkpoint_line);
  }
  if (buf.empty()) return batch.finish(std::nullopt);

  Status st = ensure_segment(m_next_seq, buf.size());
  if (st) st = m_file->append(buf);
  if (st) st = m_file->sync();
  if (!st) {
    // Cut the partial batch off so the file ends on a whole record; retry before the next write.
    if (m_file && !m_file->truncate(m_seg_size)) m_needs_truncate = true;
    return fail_all(st.error());
  }
  m_next_seq = seq;
  m_prev = prev;
  m_seg_size += buf.size();
  m_bytes += buf.size();
  m_durable_seq.store(seq - 1);
  if (writes_gap) {
    log::write(log::Level::info, "audit spool writes again", {{"next_seq", seq}});
    m_lost_events = m_refused_admissions = m_unaudited_forwards = 0;
    m_last_error.clear();
  }
  if (checkpoint) {
    m_since_checkpoint = 0;
    m_last_checkpoint_ms = now;
    if (auto mirror = m_fs.write_atomic(checkpoint_mirror_path(m_opts.dir), checkpoint_line + "\n"); !mirror)
      log::write(log::Level::warn, "audit checkpoint mirror not written", {{"error", mirror.error().message}});
  } else {
    m_since_checkpoint = since;
  }
  // Before waking callers, so the next admission already sees the freed space.
  if (m_opts.on_full == FullPolicy::prune_shipped && m_bytes.load() > m_opts.max_bytes) prune_shipped();
  batch.finish(std::nullopt);
}

Status Spool::ensure_segment(uint64_t first_seq, size_t incoming) {
  if (m_file && (m_seg_size == 0 || m_seg_size + incoming <= m_opts.segment_bytes)) return {};
  auto path = segment_path(m_opts.dir, first_seq);
  GW_TRY(file, m_fs.open_append(path));
  GW_CHECK(m_fs.sync_dir(m_opts.dir));
  m_file = std::move(file);
  m_seg_first = first_seq;
  m_seg_size = 0;
  return {};
}

}  // namespace gw::audit
