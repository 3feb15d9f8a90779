#pragma once
// Keeps the sidecar's signed policy current: polls the central gateway's GET /v1/policy/bundle
// (with If-None-Match, at an interval with ±20 % jitter), verifies and installs a new bundle as
// the last-known-good (policy_loader.hpp install_bundle) and reports it through callbacks so the
// sidecar swaps it in (requests in flight finish on the policy they started with) and audits the
// change or the refusal. Runs on its own thread; the request path never waits for it. When the
// central cannot be reached the bundle in force stays, until its expiry + grace (see
// PolicyValidityStage).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/audit/central_config.hpp"
#include "core/common/clock.hpp"
#include "core/common/paths.hpp"
#include "core/common/result.hpp"
#include "core/policy/bundle.hpp"

namespace gw::audit {
class Spool;
}

namespace gw::agent {

struct PolicyFetchOptions {
  std::string url;      // the central gateway, e.g. "https://gw.example.com:8443"
  std::string token;    // the device's enrollment token; never logged
  std::string ca_file;  // extra CA bundle; empty: the system's
  int interval_s = 60;
};

class PolicyFetcher {
public:
  // Called on the fetcher thread after a new bundle was installed.
  using OnInstalled = std::function<void(const policy::VerifiedBundle&)>;
  // Called on the fetcher thread when a fetched bundle was refused.
  using OnRefused = std::function<void(const policy::BundleError&)>;

  PolicyFetcher(Paths paths, PolicyFetchOptions opts, const Clock& clock, OnInstalled on_installed,
                OnRefused on_refused);
  ~PolicyFetcher();  // stop()
  void start();
  void stop();
  // One poll now, on the caller's thread (also what the thread does each interval). The result
  // says what happened: "installed", "unchanged", "not modified", "none published", or an error
  // (unreachable, refused bundle).
  Result<std::string> fetch_now();
  // Blocks until a bundle of at least `version` fetched by this fetcher has been swapped in (the
  // on_installed callback returned), or `timeout` passes (false). For tests and tooling that
  // must know the sidecar enforces a publish, without polling its status.
  bool wait_for_version(uint64_t version, std::chrono::milliseconds timeout);
  // {"url","state","version","last_check_ms","last_ok_ms","error"} for `gw status`.
  nlohmann::json status() const;

private:
  void loop();
  Paths m_paths;
  PolicyFetchOptions m_opts;
  const Clock& m_clock;
  OnInstalled m_on_installed;
  OnRefused m_on_refused;
  std::mutex m_fetch_mutex;  // one fetch at a time (thread and fetch_now)
  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_stop = false;
  std::thread m_thread;
  std::string m_etag;
  std::string m_state = "starting";
  std::string m_error;
  uint64_t m_version = 0;          // of the last bundle fetched and verified
  uint64_t m_swapped_version = 0;  // of the last bundle this fetcher installed and swapped in
  int64_t m_last_check_ms = 0, m_last_ok_ms = 0;
};

// For the sidecar: when `<config dir>/central.toml` exists, starts a fetcher for that central
// gateway (its url, token, ca_file and policy_poll_seconds). `reload` is called after a new bundle
// was installed; every installed or refused bundle is recorded as an audit event in `spool` (when
// not null; a refused same-version-different-content bundle as an alarm). nullptr when there is
// no central.toml; an error when it is invalid. Everything passed must outlive the fetcher.
// `login` supplies the `gw login` key (central_config.hpp decides which credential is used).
Result<std::unique_ptr<PolicyFetcher>> start_policy_fetcher(const Paths& paths, const Clock& clock,
                                                            std::function<void()> reload,
                                                            std::function<audit::Spool*()> spool,
                                                            const audit::LoginTokenReader& login = {});

}  // namespace gw::agent
