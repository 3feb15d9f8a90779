#pragma once
// Keeps the record of the developer's central key (`gw login`) current on the sidecar (ADR 0049):
// reads `GET /v1/keys/self` from the central gateway with the key itself, caches the answer in
// the state dir (so the sidecar starts offline with the last record it saw), polls it in the
// background at an interval with ±20 % jitter, and reports changes (revoked, disabled, new
// budgets...) so the sidecar re-merges it into the policy in force. A sync is also made when a
// launcher session is minted. The request path never waits for it.
//
// What the central answers:
//   200            the record; it replaces the cached one
//   403 + "key"    the record of a revoked or disabled key; it replaces the cached one
//   401            the central does not know the key (deleted): treated as revoked
//   anything else  (unreachable, 5xx) the cached record stays; the error is reported in status
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/config/central_key.hpp"

namespace gw::agent {

struct KeySyncOptions {
  std::string url;      // the central gateway
  std::string token;    // the central key (never logged; only its SHA-256 is cached)
  std::string ca_file;  // extra CA bundle; empty: the system's
  int interval_s = 300;
  std::filesystem::path cache_file;  // e.g. <state>/central_key.json; empty: no cache
};

// One GET /v1/keys/self with `token`: the record (also for a revoked/disabled key's 403, and a
// synthesized revoked record for 401), or Errc::unavailable when the central cannot answer.
// Used by the sidecar's sync and by `gw login`.
Result<config::CentralKeyRecord> fetch_key_record(const std::string& url, const std::string& token,
                                                  const std::string& ca_file, int timeout_s = 5);

// Writes the cache file KeySync reads at start (0600, atomically): the record, for this url and
// token (only the token's SHA-256 is written). `gw login` seeds it so a sidecar starts offline.
Status save_key_cache(const std::filesystem::path& file, const std::string& url, const std::string& token,
                      const config::CentralKeyRecord& record, int64_t now_ms);

class KeySync {
public:
  // Called on the syncing thread when the record changed (first record included); `before` is
  // null when there was none.
  using OnChange = std::function<void(const config::CentralKeyRecord* before, const config::CentralKeyRecord& now)>;

  // Loads the cached record when it belongs to this url and token.
  KeySync(KeySyncOptions opts, const Clock& clock, OnChange on_change);
  ~KeySync();  // stop()
  void start();
  void stop();
  // One sync now on the caller's thread: "changed", "unchanged", or Errc::unavailable (the cached
  // record stays in force).
  Result<std::string> sync_now();
  // The record in force (fetched or cached); nullopt before any answer on a device with no cache.
  std::optional<config::CentralKeyRecord> current() const;
  // Blocks until a sync that started after this call has finished (whatever it found), or
  // `timeout` passes (false). For tests and tooling that must know a change at the central
  // reached the sidecar without polling its status.
  bool wait_for_next_sync(std::chrono::milliseconds timeout);
  const std::string& url() const { return m_opts.url; }
  // {"url","key","owner","team","state","revision","last_check_ms","last_ok_ms","error","interval_s",
  //  "refusal"} for `gw status`.
  nlohmann::json status() const;

private:
  void loop();
  void save_cache(const config::CentralKeyRecord& record) const;
  KeySyncOptions m_opts;
  const Clock& m_clock;
  OnChange m_on_change;
  std::mutex m_sync_mutex;  // one sync at a time
  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_stop = false;
  std::thread m_thread;
  std::optional<config::CentralKeyRecord> m_record;
  std::string m_state = "starting";
  std::string m_error;
  int64_t m_last_check_ms = 0, m_last_ok_ms = 0;
  uint64_t m_started = 0;   // syncs started
  uint64_t m_finished = 0;  // the highest start number whose sync finished
};

// The policy the sidecar runs when logged in: `policy` with the central record merged in
// (config::merge_central_key), or, before any record is known, with launcher sessions refused
// and a message saying the key could not be confirmed yet.
std::shared_ptr<const config::Policy> apply_central_key(const std::shared_ptr<const config::Policy>& policy,
                                                        const KeySync& sync);

}  // namespace gw::agent
