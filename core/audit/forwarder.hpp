#pragma once
// The audit forwarder: ships the local spool to the central gateway's ingest endpoint
// (POST /v1/audit/batches, docs/server.md), at least once, in seq order, one batch in flight.
//
// - Starts from the spool's persisted ship cursor (acked_seq) and only ships durable records
//   (seq <= spool.last_seq()), so a crash never ships a record that recovery may cut.
// - After each accepted batch the central's acknowledgement is persisted (Spool::set_acked_seq),
//   which lets a prune_shipped spool delete shipped segments. If the central is behind the cursor
//   (a restored store), the forwarder rewinds and resends what the spool still holds.
// - Failures (network, 5xx, refusals) back off exponentially with full jitter, up to max_backoff;
//   it retries forever, so long outages only grow the lag.
// - Runs on its own thread; the request path never waits for it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/audit/device_key.hpp"
#include "core/audit/spool_reader.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"

namespace gw::audit {

class Spool;

struct ShipReply {
  uint64_t acked_seq = 0;
  uint64_t epoch = 0;
  std::vector<std::string> alarms;
};

// Delivers one batch body. Errors: unavailable (network, 5xx: retry), denied (401/403: the
// token or device key is refused; retried at the longest backoff), invalid_argument (400).
class ShipTransport {
public:
  virtual ~ShipTransport() = default;
  virtual Result<ShipReply> send(const std::string& body, const std::string& signature_header) = 0;
  virtual std::string describe() const = 0;  // e.g. the URL, for status
};

struct ForwarderOptions {
  size_t max_batch_records = 1000;
  size_t max_batch_bytes = 4u << 20;
  int64_t idle_poll_ms = 200;      // how often an idle forwarder looks for new records
  int64_t min_backoff_ms = 250;
  int64_t max_backoff_ms = 60'000;
};

struct ForwarderStatus {
  std::string central;     // transport description (URL)
  std::string state;       // "starting", "idle", "shipping", "retrying", "refused", "stopped"
  uint64_t acked_seq = 0;  // highest seq the central holds (persisted cursor)
  uint64_t spool_seq = 0;  // highest durable seq in the spool
  uint64_t lag = 0;        // spool_seq - acked_seq
  uint64_t batches = 0;
  uint64_t records = 0;
  int failures = 0;        // consecutive
  int64_t last_ack_ms = 0;
  int64_t next_attempt_ms = 0;
  std::string last_error;
  std::vector<std::string> last_alarms;
};
nlohmann::json to_json(const ForwarderStatus& s);

class Forwarder {
public:
  // spool, transport and clock must outlive the forwarder; `key` signs each batch body.
  Forwarder(Spool& spool, DeviceKey key, std::unique_ptr<ShipTransport> transport, ForwarderOptions opts,
            const Clock& clock);
  ~Forwarder();  // stop()
  void start();
  // Stops after the batch in flight (if any). Idempotent.
  void stop();
  // Wakes an idle or backing-off forwarder now (e.g. after a reconnect hint, tests).
  void poke();
  ForwarderStatus status() const;
  // Waits until the central acknowledged `seq` (true) or the timeout passed (false).
  bool wait_for_ack(uint64_t seq, std::chrono::milliseconds timeout);
  // Waits until pred(status()) holds, re-checked after every attempt (true), or the timeout (false).
  bool wait_until(const std::function<bool(const ForwarderStatus&)>& pred, std::chrono::milliseconds timeout);

  // The batch body for these lines (exposed for tests and the benchmark).
  static std::string batch_body(const std::string& device_id, const DeviceKey& key,
                                const std::vector<std::string>& lines);

private:
  void run();
  ForwarderStatus status_locked() const;
  bool ship_once();  // true when something was shipped or attempted
  int64_t backoff_ms(int failures);

  Spool& m_spool;
  DeviceKey m_key;
  std::unique_ptr<ShipTransport> m_transport;
  ForwarderOptions m_opts;
  const Clock& m_clock;
  SpoolReader m_reader;
  uint64_t m_next = 1;  // the next seq to ship
  std::mt19937_64 m_rng;

  mutable std::mutex m_mu;
  std::condition_variable m_cv;
  std::condition_variable m_progress_cv;
  bool m_stop = false;
  bool m_poked = false;
  ForwarderStatus m_status;
  std::thread m_thread;
};

}  // namespace gw::audit
