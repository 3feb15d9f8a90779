#include "agent/policy_fetcher.hpp"

#include <httplib.h>

#include <random>

#include "core/audit/central_config.hpp"
#include "core/audit/spool.hpp"
#include "core/common/crypto.hpp"
#include "core/common/log.hpp"
#include "core/policy/bundle_store.hpp"
#include "core/policy/policy_loader.hpp"

namespace gw::agent {

PolicyFetcher::PolicyFetcher(Paths paths, PolicyFetchOptions opts, const Clock& clock, OnInstalled on_installed,
                             OnRefused on_refused)
    : m_paths(std::move(paths)), m_opts(std::move(opts)), m_clock(clock), m_on_installed(std::move(on_installed)),
      m_on_refused(std::move(on_refused)) {
  // Start from the bundle in force, so the first poll is a cheap 304 when nothing changed.
  auto current = policy::BundleStore(policy::bundle_dir(m_paths)).load_current();
  if (current && *current) m_etag = "\"" + sha256_hex(**current) + "\"";
}

PolicyFetcher::~PolicyFetcher() { stop(); }

void PolicyFetcher::start() { m_thread = std::thread([this] { loop(); }); }

void PolicyFetcher::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void PolicyFetcher::loop() {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  for (;;) {
    (void)fetch_now();
    auto wait = std::chrono::milliseconds(static_cast<int64_t>(m_opts.interval_s * 1000 * jitter(rng)));
    std::unique_lock lock(m_mutex);
    if (m_cv.wait_for(lock, wait, [this] { return m_stop; })) return;
  }
}

Result<std::string> PolicyFetcher::fetch_now() {
  std::lock_guard fetch_lock(m_fetch_mutex);
  auto record = [this](std::string state, std::string error, bool ok) {
    std::lock_guard lock(m_mutex);
    m_state = std::move(state);
    m_error = std::move(error);
    m_last_check_ms = m_clock.now_ms();
    if (ok) m_last_ok_ms = m_last_check_ms;
  };
  httplib::Client cli(m_opts.url);
  if (!m_opts.ca_file.empty()) cli.set_ca_cert_path(m_opts.ca_file.c_str());
  cli.set_connection_timeout(5, 0);
  cli.set_read_timeout(30, 0);
  httplib::Headers headers = {{"Authorization", "Bearer " + m_opts.token}};
  if (!m_etag.empty()) headers.emplace("If-None-Match", m_etag);
  auto res = cli.Get("/v1/policy/bundle", headers);
  if (!res) {
    std::string why = "cannot reach " + m_opts.url + " (" + httplib::to_string(res.error()) + ")";
    record("unreachable", why, false);
    return fail(Errc::unavailable, why);
  }
  if (res->status == 304) {
    record("ok", "", true);
    return std::string("not modified");
  }
  if (res->status == 404) {
    record("none published", "", true);
    return std::string("none published");
  }
  if (res->status != 200) {
    std::string why = "the central gateway answered HTTP " + std::to_string(res->status) + " to the policy fetch";
    record("error", why, false);
    return fail(Errc::unavailable, why);
  }
  auto v = policy::install_bundle(m_paths, res->body, m_opts.url, m_clock.now_ms() / 1000);
  if (!v) {
    record("refused", v.error().message, false);
    log::write(log::Level::warn, "fetched policy bundle refused",
               {{"url", m_opts.url}, {"reason", policy::to_string(v.error().reason)}, {"error", v.error().message}});
    if (m_on_refused) m_on_refused(v.error());
    return fail(Errc::denied, v.error().message);
  }
  m_etag = res->get_header_value("ETag");
  {
    std::lock_guard lock(m_mutex);
    m_version = v->payload.version;
  }
  record("ok", "", true);
  if (v->unchanged) return std::string("unchanged");
  log::write(log::Level::info, "policy bundle installed",
             {{"url", m_opts.url}, {"version", v->payload.version}, {"org", v->payload.org}});
  if (m_on_installed) m_on_installed(*v);
  {
    std::lock_guard lock(m_mutex);
    m_swapped_version = v->payload.version;
  }
  m_cv.notify_all();
  return std::string("installed");
}

bool PolicyFetcher::wait_for_version(uint64_t version, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  return m_cv.wait_for(lock, timeout, [&] { return m_swapped_version >= version || m_stop; }) &&
         m_swapped_version >= version;
}

nlohmann::json PolicyFetcher::status() const {
  std::lock_guard lock(m_mutex);
  return {{"url", m_opts.url}, {"state", m_state}, {"version", m_version}, {"last_check_ms", m_last_check_ms},
          {"last_ok_ms", m_last_ok_ms}, {"error", m_error}, {"interval_s", m_opts.interval_s}};
}

}  // namespace gw::agent

namespace gw::agent {

Result<std::unique_ptr<PolicyFetcher>> start_policy_fetcher(const Paths& paths, const Clock& clock,
                                                            std::function<void()> reload,
                                                            std::function<audit::Spool*()> spool,
                                                            const audit::LoginTokenReader& login) {
  GW_TRY(cfg, audit::load_central_config(paths.config_dir, login));
  if (!cfg) return std::unique_ptr<PolicyFetcher>();
  PolicyFetchOptions opts{cfg->url, cfg->token, cfg->ca_file, cfg->policy_poll_s};
  auto record = [spool, url = cfg->url](audit::EventKind kind, audit::Decision decision, std::string reason,
                                        std::string version) {
    audit::Spool* s = spool();
    if (!s) return;
    audit::AuditEvent ev;
    ev.kind = kind;
    ev.decision = decision;
    ev.reason = std::move(reason);
    ev.endpoint = "GET " + url + "/v1/policy/bundle";
    ev.policy_version = std::move(version);
    (void)s->append(std::move(ev));
  };
  auto on_installed = [reload, record](const policy::VerifiedBundle& v) {
    reload();
    record(audit::EventKind::policy_change, audit::Decision::allowed,
           "installed policy bundle v" + std::to_string(v.payload.version) + " (" + v.payload.org + "), signed by " +
               std::to_string(v.signer_key_ids.size()) + " key(s)",
           v.policy->version);
  };
  auto on_refused = [record](const policy::BundleError& e) {
    bool alarm = e.reason == policy::Rejection::same_version_changed;
    record(alarm ? audit::EventKind::alarm : audit::EventKind::policy_change, audit::Decision::denied,
           std::string(policy::to_string(e.reason)) + ": " + e.message, "");
  };
  auto fetcher = std::make_unique<PolicyFetcher>(paths, std::move(opts), clock, on_installed, on_refused);
  fetcher->start();
  return fetcher;
}

}  // namespace gw::agent
