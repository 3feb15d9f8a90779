#pragma once
// The local audit spool: append-only, hash-chained, group-committed segment files.
//
// Group commit by a leader (ADR 0058). Whoever holds the write turn (one at a time) takes every
// queued event, assigns seq/prev, serializes, writes them with one write() and one fdatasync(),
// then wakes every caller of that batch. A durable append that finds no write in flight takes the
// turn itself and commits on its own thread (no hand-off to another thread); one that arrives
// while a sync is in flight waits for it to end (its bytes are not in it), then the first waiter
// to wake commits everything queued meanwhile, so concurrent requests share one sync.
// Non-durable events (completed/denied records) only queue: the next durable commit carries them,
// or the spool's own thread writes and syncs them once the oldest has waited `lazy_write_ms`, so
// a request's completion never wakes another thread nor causes a sync of its own. That thread
// also writes time-based checkpoints and drains the queue on close. A signed checkpoint is added
// every `checkpoint_every_events` records or `checkpoint_every_ms`, and on close.
//
// Request path usage:
//   auto receipt = spool.append_durable(admitted);   // blocks until fsync'd
//   if (!receipt) return refuse(receipt.error().message);  // disk full, unwritable, spool full
//   ... forward ...
//   spool.append(completed);                         // not awaited
//
// Failures never throw and never leave a partial record behind: a failed batch is cut back off
// the file, its callers get the error, and non-durable events lost that way are announced by a
// "gap" event as soon as writing works again.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/audit/device_key.hpp"
#include "core/audit/event.hpp"
#include "core/audit/file_io.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"

namespace gw::audit {

// What append_durable does once the spool holds max_bytes.
enum class FullPolicy {
  refuse,         // refuse new admissions with a clear message (default)
  prune_shipped,  // first delete whole segments the central gateway acknowledged, then refuse
};

struct SpoolOptions {
  std::filesystem::path dir;        // e.g. resolve_paths()->state_dir / "audit"
  std::string device_id;            // empty: "dev-" + device key id
  std::string gw_version;           // empty: GW_VERSION
  uint64_t max_bytes = 512ull << 20;
  uint64_t segment_bytes = 16ull << 20;
  FullPolicy on_full = FullPolicy::refuse;
  uint64_t checkpoint_every_events = 1000;
  int64_t checkpoint_every_ms = 60'000;
  // How long a non-durable record may wait in memory before the spool's thread writes and syncs
  // it (when no durable commit took it first). A crash loses at most this window of completed
  // records (the gap is visible: an admitted record without its completed one). 0 (default):
  // the spool's thread is woken and writes it at once, so `gw audit tail` sees a denied record
  // as soon as the refusal was answered (tests and users rely on that).
  int64_t lazy_write_ms = 0;
};

// What open() found and repaired after an unclean shutdown.
struct RecoveryReport {
  bool repaired = false;
  std::filesystem::path file;
  uint64_t removed_bytes = 0;
  size_t removed_lines = 0;
  std::string message;  // empty when nothing was repaired
};

// What the caller of append_durable does if the record cannot be written: it decides how the
// loss is told in the "gap" event written once the spool can write again.
enum class OnFailure {
  refuse,   // the request is refused (fail closed, the default)
  forward,  // the request is forwarded without its record (policy fail_mode = "open")
};

struct AppendReceipt {
  uint64_t seq = 0;
  std::string id;
};

namespace detail {
struct Batch;
}

// The promise of one append: wait() blocks until the record's batch is durable (or failed).
// wait() on a non-durable append asks the spool to write it now instead of after lazy_write_ms.
class Spool;
class AppendTicket {
public:
  AppendTicket(std::shared_ptr<detail::Batch> batch, size_t index, Spool* spool = nullptr)
      : m_batch(std::move(batch)), m_index(index), m_spool(spool) {}
  Result<AppendReceipt> wait() const;
  bool ready() const;

private:
  std::shared_ptr<detail::Batch> m_batch;
  size_t m_index;
  Spool* m_spool;
};

class Spool {
public:
  // Opens (creating) the spool directory, loads or creates the device key, repairs a torn tail
  // (see recovery()) and starts the writer thread. clock and fs, when given, must outlive the spool.
  static Result<std::unique_ptr<Spool>> open(SpoolOptions options, DeviceKeyStore& keys,
                                             const Clock* clock = nullptr, FileSystem* fs = nullptr);
  ~Spool();  // close()
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Request path: enqueue and block until durable (committing on this thread when no other write
  // is in flight). Errors (never throws): spool full (policy),
  // write/sync failure (disk full, permissions), spool closed. The caller should refuse the request.
  // `then` says what the caller does if this fails (counted in the next gap event).
  Result<AppendReceipt> append_durable(AuditEvent ev, OnFailure then = OnFailure::refuse);
  // Enqueue without waiting (completed/denied records): written with the next durable commit or
  // after lazy_write_ms. Always accepted while open, even past max_bytes, so an admitted
  // request's completion is never dropped by the cap.
  AppendTicket append(AuditEvent ev);
  // Writes a checkpoint now (if anything was written since the last one) and waits for it.
  Status checkpoint_now();
  // Drains the queue, writes a final checkpoint and stops the writer. Idempotent.
  void close();

  const RecoveryReport& recovery() const { return m_recovery; }
  const std::string& device_id() const { return m_device_id; }
  const std::filesystem::path& dir() const { return m_opts.dir; }
  const SpoolOptions& options() const { return m_opts; }
  uint64_t last_seq() const { return m_durable_seq.load(); }  // highest durable seq (0: none)
  uint64_t bytes_on_disk() const { return m_bytes.load(); }
  // Records queued and not yet taken by a commit.
  size_t queued() const;

  // Ship cursor, for the forwarder: the highest contiguous seq the central gateway acknowledged.
  uint64_t acked_seq() const { return m_acked.load(); }
  // Persists a new acknowledged seq (ignored if lower than the current one). Thread-safe.
  Status set_acked_seq(uint64_t seq);

private:
  friend class AppendTicket;
  struct Pending {
    AuditEvent ev;
    bool durable = false;
    bool forward_on_failure = false;  // durable, and the caller forwards anyway if it fails
  };
  Spool(SpoolOptions options, DeviceKey key, const Clock& clock, FileSystem& fs);
  Status recover();
  Status write_cursor_locked();
  void writer_loop();
  // Holding m_mu and the write turn: writes everything queued (and a checkpoint if forced),
  // releasing m_mu meanwhile; gives the turn back and wakes whoever waits for it.
  void commit_pending(std::unique_lock<std::mutex>& lk, bool force_checkpoint);
  void urge();  // a non-durable ticket is being waited on: write it now
  void write_batch(std::vector<Pending>& items, detail::Batch& batch, bool force_checkpoint);
  Status ensure_segment(uint64_t first_seq, size_t incoming);
  void prune_shipped();
  void prune_shipped_locked();  // m_cursor_mu held
  AuditEvent make_notice(EventKind kind, std::string reason) const;

  SpoolOptions m_opts;
  DeviceKey m_key;
  std::string m_device_id;
  const Clock& m_clock;
  FileSystem& m_fs;
  std::unique_ptr<SystemClock> m_own_clock;
  std::unique_ptr<PosixFileSystem> m_own_fs;
  RecoveryReport m_recovery;

  // Shared with callers (under m_mu).
  mutable std::mutex m_mu;
  std::condition_variable m_wake;  // the spool's thread: work for it
  std::condition_variable m_turn;  // durable appenders: the write turn is free or a batch ended
  std::vector<Pending> m_pending;
  std::shared_ptr<detail::Batch> m_open_batch;
  int64_t m_pending_since_ns = 0;  // mono_ns when m_pending became non-empty
  bool m_turn_taken = false;       // someone is writing (owns the writer state below)
  bool m_writer_ticking = false;   // the spool's thread wakes by itself within lazy_write_ms
  bool m_urged = false;
  bool m_stopping = false;
  bool m_checkpoint_requested = false;
  std::thread m_writer;

  // Writer state: used only by the holder of the write turn.
  std::unique_ptr<AppendFile> m_file;
  uint64_t m_seg_first = 0;
  uint64_t m_seg_size = 0;
  uint64_t m_next_seq = 1;
  std::string m_prev;
  uint64_t m_since_checkpoint = 0;
  int64_t m_last_checkpoint_ms = 0;
  bool m_needs_truncate = false;
  uint64_t m_lost_events = 0;
  uint64_t m_refused_admissions = 0;
  uint64_t m_unaudited_forwards = 0;
  std::string m_last_error;

  std::atomic<uint64_t> m_durable_seq{0};
  std::atomic<uint64_t> m_bytes{0};
  std::atomic<uint64_t> m_acked{0};
  std::mutex m_cursor_mu;
  uint64_t m_pruned_through = 0;
  std::string m_pruned_hash;
};

}  // namespace gw::audit
