#include "agent/sidecar.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "agent/control_server.hpp"
#include "agent/lease_client.hpp"
#include "agent/key_sync.hpp"
#include "agent/listener.hpp"
#include "agent/metrics_http.hpp"
#include "agent/metrics_limits.hpp"
#include "agent/policy_fetcher.hpp"
#include "core/relay/relay.hpp"
#include "agent/session_store.hpp"
#include "agent/stats.hpp"
#include "core/audit/central_config.hpp"
#include "core/audit/forwarder.hpp"
#include "core/audit/spool.hpp"
#include "core/common/crypto.hpp"
#include "core/common/log.hpp"
#include "core/limits/spend_store.hpp"
#include "core/policy/policy_loader.hpp"
#include "core/secrets/device_key_store.hpp"
#include "core/secrets/provider_keys.hpp"
#include "core/stages/scan_stage.hpp"
#include "core/stages/stage_list.hpp"

namespace gw::agent {
namespace fs = std::filesystem;

namespace {

std::mutex g_stop_mutex;
std::condition_variable g_stop_cv;
bool g_stop = false;

void request_stop() {
  std::lock_guard lock(g_stop_mutex);
  g_stop = true;
  g_stop_cv.notify_all();
}

// Signals are turned into a stop request by a dedicated thread (sigwait), not a handler.
void start_signal_thread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    sigwait(&set, &sig);
    log::write(log::Level::info, "stopping on signal", {{"signal", sig}});
    request_stop();
  }).detach();
}

// The keys a "status" request asks about ("keys": [ids]), else the default set.
std::vector<std::string> status_keys(const nlohmann::json& req, const config::Policy& policy) {
  if (!req.contains("keys") || !req["keys"].is_array()) return default_status_keys(policy);
  std::vector<std::string> ids;
  for (const auto& k : req["keys"])
    if (k.is_string()) ids.push_back(k.get<std::string>());
  return ids;
}

audit::SpoolOptions spool_options(const Paths& paths, const config::AuditPolicy& a) {
  audit::SpoolOptions o;
  o.dir = paths.state_dir / "audit";
  o.max_bytes = static_cast<uint64_t>(a.max_spool_mb) << 20;
  o.segment_bytes = std::min<uint64_t>(o.segment_bytes, std::max<uint64_t>(o.max_bytes / 4, 64 * 1024));
  o.on_full = a.on_full == config::AuditPolicy::OnFull::prune_shipped ? audit::FullPolicy::prune_shipped
                                                                       : audit::FullPolicy::refuse;
  o.checkpoint_every_events = static_cast<uint64_t>(a.checkpoint_every_events);
  o.checkpoint_every_ms = a.checkpoint_every_seconds * 1000;
  return o;
}

// Opens the audit spool when policy turns audit on and it is not open yet. With fail_mode
// "closed" a spool that cannot be opened is an error (the sidecar does not start, a reload is
// refused); with "open" it is logged and requests go unaudited.
Status ensure_spool(const Paths& paths, const config::AuditPolicy& a, audit::DeviceKeyStore& keys,
                    std::unique_ptr<audit::Spool>& spool) {
  if (!a.enabled) return {};
  if (spool) {
    auto want = spool_options(paths, a);
    if (want.max_bytes != spool->options().max_bytes || want.on_full != spool->options().on_full ||
        want.checkpoint_every_events != spool->options().checkpoint_every_events ||
        want.checkpoint_every_ms != spool->options().checkpoint_every_ms)
      log::write(log::Level::warn, "audit spool settings changed; they apply when the sidecar restarts", {});
    return {};
  }
  auto opened = audit::Spool::open(spool_options(paths, a), keys);
  if (!opened) {
    if (a.fail_mode == config::AuditPolicy::FailMode::closed)
      return fail(Errc::io, "cannot open the audit spool: " + opened.error().message +
                                ". Fix it, or set [audit] fail_mode = \"open\" in policy to run without it");
    log::write(log::Level::error, "audit spool unavailable; requests are forwarded unaudited (fail_mode = open)",
               {{"error", opened.error().message}});
    return {};
  }
  spool = std::move(*opened);
  if (spool->recovery().repaired)
    log::write(log::Level::warn, "audit spool repaired after an unclean shutdown", {{"detail", spool->recovery().message}});
  return {};
}

// The policy in force (policy_loader.hpp decides between an explicit file, the installed signed
// bundle, the config dir's policy.toml and the built-in default).
Result<policy::PolicyInForce> load_policy(const SidecarOptions& opts) {
  return policy::load_policy_in_force(opts.paths, explicit_policy_file(opts), ::time(nullptr));
}

}  // namespace

fs::path explicit_policy_file(const SidecarOptions& opts) {
  if (!opts.policy_file.empty()) return opts.policy_file;
  if (const char* p = std::getenv("GW_POLICY"); p && *p) return p;
  return {};
}

Status run_sidecar(const SidecarOptions& opts) {
  GW_CHECK(ensure_private_dir(opts.paths.state_dir));
  GW_CHECK(ensure_private_dir(opts.paths.run_dir));
  fs::path lock_path = opts.paths.run_dir / "agent.lock";
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0)
    return fail(Errc::unavailable, "another gw sidecar is already running for " + opts.paths.state_dir.string());

  auto policy = load_policy(opts);
  if (!policy) return fail(Errc::config, "cannot load policy:\n" + policy.error().message);
  std::string policy_source = policy->source;

  SystemClock clock;
  providers::Registry registry;
  http::UpstreamOptions up_opts;
  up_opts.ca_file = opts.ca_file;
  http::UpstreamPool upstream(up_opts);
  SessionStore sessions(clock, opts.paths.state_dir / "sessions.json");
  // Provider keys kept with `gw keys set` live in the OS secret store; without one the env and
  // file sources still work and keychain sources fail with the reason.
  auto opened_store = secrets::open_secret_store(opts.paths);
  if (!opened_store) log::write(log::Level::warn, "no secret store", {{"error", opened_store.error().message}});
  else if (!secrets::is_secure((*opened_store)->backend()))
    log::write(log::Level::warn, "provider keys and the device key are kept in a plain 0600 file (no Secret Service)",
               {{"file", (*opened_store)->location()}});
  std::shared_ptr<secrets::SecretStore> store;
  if (opened_store) store = std::move(*opened_store);
  secrets::ProviderKeys keys(store, opened_store ? std::string() : opened_store.error().message);
  // The `gw login` key, read from the store whenever central.toml is (re)read (ADR 0049).
  audit::LoginTokenReader login = [store]() -> Result<std::optional<std::string>> {
    if (!store) return std::optional<std::string>();
    return secrets::load_login_token(*store);
  };
  Stats stats(opts.log_requests);
  // Spend and counters persist in the state dir; a sidecar that cannot open them fails closed.
  auto spend = limits::SqliteSpendStore::open(opts.paths.state_dir / "spend.db");
  if (!spend) return fail(Errc::io, "cannot open the spend ledger: " + spend.error().message);
  limits::Admission admission(clock, **spend);
  auto usage_log = limits::UsageLog::open(opts.paths.state_dir / "spend.db");
  if (!usage_log) log::write(log::Level::warn, "usage log unavailable", {{"error", usage_log.error().message}});
  stages::GuardrailState guardrails;
  // The audit spool: <state>/audit, signed with the device key kept in the secret store (moved
  // there from <state>/device_key on first start; ADR 0056). Without any store, the file as before.
  std::unique_ptr<audit::DeviceKeyStore> device_key_store;
  if (store) device_key_store = std::make_unique<secrets::StoreDeviceKeyStore>(store, opts.paths.state_dir);
  else device_key_store = std::make_unique<audit::FileDeviceKeyStore>(opts.paths.state_dir);
  audit::DeviceKeyStore& device_keys = *device_key_store;
  std::unique_ptr<audit::Spool> spool;  // outlives the listener and every pipeline
  // Ships the spool to the central gateway named in <config>/central.toml (ADR 0035). Declared
  // after the spool so it stops before the spool closes.
  std::unique_ptr<audit::Forwarder> forwarder;
  // Central budgets (ADR 0046): leases from the central gateway in central.toml, charged by
  // Admission. Started at start, or on a reload once the device is enrolled; stopped (final spend
  // reported, leases released) after the listener.
  std::unique_ptr<LeaseClient> leases;
  std::atomic<LeaseClient*> leases_view{nullptr};  // for the metrics thread
  auto ensure_leases = [&]() -> Status {
    if (leases) return {};
    GW_TRY(cfg, audit::load_central_config(opts.paths.config_dir, login));
    if (!cfg) return {};
    GW_TRY(key, device_keys.load_or_create());
    GW_TRY(client, start_lease_client(opts.paths, clock, "dev-" + key.key_id(), login));
    leases = std::move(client);
    admission.set_central(leases.get());
    leases_view.store(leases.get());
    return {};
  };
  stages::Services services{registry, upstream, sessions, keys, stats, clock, admission,
                            usage_log ? usage_log->get() : nullptr, &guardrails};
  relay::Relay relay(services);
  std::mutex reload_mutex;
  // When logged in (`gw login`), launcher sessions run as the developer's central key: its record
  // is kept current by key_sync and merged into every policy installed (ADR 0049).
  std::unique_ptr<KeySync> key_sync;
  std::function<void(const std::string&, const config::CentralKeyRecord*, const config::CentralKeyRecord&)> on_key_change;
  // key_sync is replaced only under reload_mutex (install reads it there) or before serving.
  auto ensure_key_sync = [&]() -> Status {
    if (key_sync) return {};
    GW_TRY(cfg, audit::load_central_config(opts.paths.config_dir, login));
    if (!cfg || !cfg->logged_in()) return {};
    auto made = std::make_unique<KeySync>(
        KeySyncOptions{cfg->url, cfg->token, cfg->ca_file, cfg->key_poll_s, opts.paths.state_dir / "central_key.json"},
        clock, [&on_key_change, url = cfg->url](const config::CentralKeyRecord* before, const config::CentralKeyRecord& now) {
          if (on_key_change) on_key_change(url, before, now);
        });
    std::lock_guard lock(reload_mutex);
    key_sync = std::move(made);
    return {};
  };
  GW_CHECK(ensure_key_sync());
  auto install = [&](std::shared_ptr<const config::Policy> p) -> Status {
    if (key_sync) p = apply_central_key(p, *key_sync);
    GW_CHECK(ensure_spool(opts.paths, p->audit, device_keys, spool));
    if (spool && !forwarder) {
      // central.toml is read at start and on reloads until a forwarder runs; an invalid file
      // refuses the start or the reload (the spool keeps every record meanwhile).
      auto started = audit::start_central_forwarder(opts.paths.config_dir, *spool, device_keys, clock, login);
      if (!started)
        return fail(Errc::config, "cannot start the audit forwarder: " + started.error().message +
                                      ". Fix " + audit::central_config_path(opts.paths.config_dir).string() +
                                      " (see docs/server.md), or remove it to keep audit local");
      forwarder = std::move(*started);
    }
    services.audit_spool = spool.get();  // under reload_mutex (or before serving): see Services
    if (spool) services.device_key_store = std::string(device_keys.backend());
    relay.install(std::make_shared<const relay::Snapshot>(relay::Snapshot{p, stages::build_pipeline(services, p)}));
    return {};
  };
  GW_CHECK(install(policy->policy));
  if (auto* moved = dynamic_cast<secrets::StoreDeviceKeyStore*>(&device_keys); moved && !moved->migration_note().empty())
    log::write(device_keys.backend() == "file" ? log::Level::warn : log::Level::info, "device key",
               {{"detail", moved->migration_note()}});

  start_signal_thread();
  Listener listener({opts.host, opts.port, opts.max_body_bytes}, relay);
  GW_TRY(port, listener.start());
  int64_t started_ms = clock.now_ms();
  auto render_metrics = [&] {
    auto snap = relay.snapshot();
    return stats.metrics().render(
        {snap->policy.get(), &admission, static_cast<int64_t>(sessions.live_count()), leases_view.load()});
  };
  // Opt-in HTTP endpoint for Prometheus, loopback only like the agents' port (ADR 0030).
  std::unique_ptr<MetricsHttp> metrics_http;
  int metrics_port = -1;
  if (opts.metrics_port >= 0) {
    metrics_http = std::make_unique<MetricsHttp>(opts.host, opts.metrics_port, render_metrics);
    auto bound = metrics_http->start();
    if (!bound) {
      listener.stop();
      return std::unexpected(bound.error());
    }
    metrics_port = *bound;
  }

  // Re-reads the policy in force (control "reload", or a bundle the fetcher installed) and swaps
  // it in; requests in flight finish on the pipeline they started with.
  auto reload = [&]() -> Result<std::string> {
    std::lock_guard lock(reload_mutex);
    GW_TRY(p, load_policy(opts));
    GW_CHECK(install(p.policy));
    policy_source = p.source;
    log::write(log::Level::info, "policy reloaded", {{"version", p.policy->version}, {"source", p.source}});
    return p.policy->version;
  };
  // Signed policy from the central gateway (when central.toml exists and no --policy file pins
  // the policy). Polls on its own thread.
  std::unique_ptr<PolicyFetcher> fetcher;
  // Starts the fetcher (and the lease client) once central.toml exists (at start, or on a control
  // "reload" after the device was enrolled).
  auto ensure_fetcher = [&]() -> Status {
    if (fetcher || !explicit_policy_file(opts).empty()) return ensure_leases();
    GW_TRY(f, start_policy_fetcher(
                  opts.paths, clock, [&] { (void)reload(); },
                  [&]() -> audit::Spool* {
                    std::lock_guard lock(reload_mutex);
                    return spool.get();
                  },
                  login));
    fetcher = std::move(f);
    return ensure_leases();
  };
  // A changed central key record (revoked, disabled, new budgets...) is merged in by a reload and
  // recorded as an audit event.
  on_key_change = [&](const std::string& url, const config::CentralKeyRecord* before, const config::CentralKeyRecord& now) {
    (void)reload();
    std::string refusal = config::central_key_refusal(now, url);
    audit::AuditEvent ev;
    ev.kind = audit::EventKind::policy_change;
    ev.decision = refusal.empty() ? audit::Decision::allowed : audit::Decision::denied;
    ev.virtual_key_id = now.id;
    ev.user = now.owner;
    ev.team = now.team;
    ev.endpoint = "GET " + url + "/v1/keys/self";
    ev.reason = !refusal.empty() ? refusal
                : before        ? "central key '" + now.id + "' updated (directory revision " + std::to_string(now.revision) + ")"
                                : "launcher sessions run as central key '" + now.id + "'";
    std::lock_guard lock(reload_mutex);
    if (spool) (void)spool->append(std::move(ev));
  };
  // The central identity the forwarder, fetcher and key sync were started with ("url sha256(token)");
  // a `gw login`/`gw logout` followed by a control "reload" restarts them with the new one.
  auto central_identity = [&]() -> std::string {
    auto cfg = audit::load_central_config(opts.paths.config_dir, login);
    if (!cfg || !*cfg) return "";
    return (*cfg)->url + " " + sha256_hex((*cfg)->token);
  };
  std::string bound_central = central_identity();
  auto rebind_central = [&]() -> Status {
    std::string now = central_identity();
    if (now == bound_central) return {};
    log::write(log::Level::info, "central login changed; reconnecting", {});
    std::unique_ptr<KeySync> old_sync;
    {
      std::lock_guard lock(reload_mutex);
      old_sync = std::move(key_sync);
      forwarder.reset();
    }
    old_sync.reset();  // joins its thread, which may be waiting in reload(): not under reload_mutex
    fetcher.reset();
    // The lease client keeps the credential it started with until the sidecar restarts:
    // requests in flight may hold it (Admission), so it is not replaced here.
    bound_central = now;
    GW_CHECK(ensure_key_sync());
    if (key_sync) key_sync->start();
    return {};
  };
  if (auto st = ensure_fetcher(); !st) {
    listener.stop();
    return fail(Errc::config, "cannot fetch policy from the central gateway: " + st.error().message);
  }
  if (key_sync) key_sync->start();
  auto source_now = [&] {
    std::lock_guard lock(reload_mutex);
    return policy_source;
  };

  auto handler = [&](const nlohmann::json& req) -> nlohmann::json {
    std::string op = req["op"];
    if (op == "status") {
      auto snap = relay.snapshot();
      return {{"ok", true}, {"pid", ::getpid()}, {"port", port}, {"version", GW_VERSION},
              {"started_ms", started_ms}, {"uptime_s", (clock.now_ms() - started_ms) / 1000},
              {"policy", {{"version", snap->policy->version}, {"source", source_now()},
                          {"fetch", fetcher ? fetcher->status() : nlohmann::json()}}},
              {"sessions", sessions.live_count()}, {"stats", stats.to_json()},
              {"guardrails", {{"enabled", snap->policy->guardrails.enabled},
                              {"response_action", config::to_string(snap->policy->guardrails.response_action)},
                              {"counters", guardrails.to_json()}}},
              {"metrics_port", metrics_port}, {"now_ms", clock.now_ms()},
              {"keys", limits_json(*snap->policy, admission, status_keys(req, *snap->policy))},
              {"central", forwarder ? audit::to_json(forwarder->status()) : nlohmann::json(nullptr)},
              {"leases", leases ? leases->status() : nlohmann::json(nullptr)},
              {"login", key_sync ? key_sync->status() : nlohmann::json(nullptr)}};
    }
    if (op == "metrics") return {{"ok", true}, {"text", render_metrics()}};
    if (op == "central_wait") {
      // Waits (at most 5 s: the control thread is shared) until the central gateway acknowledged
      // every durable spool record; "ok" says whether it did. Tests and `gw status` callers that
      // must know the trail arrived use it instead of polling.
      if (!forwarder) return {{"ok", false}, {"error", "no central gateway configured (" +
                                                          audit::central_config_path(opts.paths.config_dir).string() + ")"}};
      int64_t ms = std::clamp<int64_t>(req.value("timeout_ms", int64_t{5000}), 0, 5000);
      bool done = forwarder->wait_until([](const audit::ForwarderStatus& s) { return s.lag == 0; },
                                        std::chrono::milliseconds(ms));
      auto st = forwarder->status();
      return {{"ok", done}, {"central", audit::to_json(st)},
              {"error", done ? "" : "the central gateway has not acknowledged " + std::to_string(st.lag) + " records yet"}};
    }
    if (op == "mint") {
      std::string agent = req.value("agent", "other");
      int owner = req.value("pid", 0);
      int64_t ttl = req.value("ttl_s", int64_t{12 * 3600});
      if (ttl <= 0 || ttl > 7 * 24 * 3600) return {{"ok", false}, {"error", "ttl_s must be between 1 and 604800"}};
      if (key_sync) {
        // One round trip to re-check the central key (offline: the cached record decides).
        (void)key_sync->sync_now();
        auto snap = relay.snapshot();
        const auto* key = snap->policy->find_key(snap->policy->local_key);
        if (key && !key->refusal.empty()) return {{"ok", false}, {"error", key->refusal}};
      }
      auto m = sessions.mint(agent, owner, ttl);
      log::write(log::Level::info, "session minted", {{"session", m.session.session_id}, {"agent", agent}});
      return {{"ok", true}, {"token", m.token}, {"session_id", m.session.session_id},
              {"expires_ms", m.session.expires_ms}, {"port", port}};
    }
    if (op == "revoke") {
      bool found = sessions.revoke(req.value("session_id", ""));
      return {{"ok", found}, {"error", found ? "" : "no such session"}};
    }
    if (op == "reload") {
      if (auto st = rebind_central(); !st) return {{"ok", false}, {"error", st.error().message}};
      auto v = reload();
      if (!v) return {{"ok", false}, {"error", v.error().message}};
      if (auto st = ensure_fetcher(); !st) return {{"ok", false}, {"error", st.error().message}};
      return {{"ok", true}, {"version", *v}};
    }
    if (op == "policy_wait") {
      // Blocks (at most 5 s: the control socket has one thread) until the fetcher swapped in a
      // bundle of at least "version".
      if (!fetcher) return {{"ok", false}, {"error", "no central gateway is configured (<config dir>/central.toml)"}};
      int64_t ms = std::clamp<int64_t>(req.value("timeout_ms", int64_t{5000}), 0, 5000);
      bool done = fetcher->wait_for_version(req.value("version", uint64_t{0}), std::chrono::milliseconds(ms));
      return {{"ok", done}, {"error", done ? "" : "not swapped in yet"}};
    }
    if (op == "lease_sync") {
      // Renews every lease now (reports spend); for tests and `gw status` callers that must know
      // the central has this device's spend.
      if (!leases) return {{"ok", false}, {"error", "no central gateway is configured (<config dir>/central.toml)"}};
      int n = leases->sync_now();
      return {{"ok", true}, {"renewed", n}, {"leases", leases->status()}};
    }
    if (op == "key_wait" || op == "key_sync") {
      // key_sync: re-read the central key record now. key_wait: block (at most 5 s: the control
      // socket has one thread) until a sync that starts after this call has finished.
      if (!key_sync) return {{"ok", false}, {"error", "not logged in to a central gateway (gw login --server URL)"}};
      if (op == "key_sync") {
        auto r = key_sync->sync_now();
        if (!r) return {{"ok", false}, {"error", r.error().message}, {"login", key_sync->status()}};
        return {{"ok", true}, {"result", *r}, {"login", key_sync->status()}};
      }
      int64_t ms = std::clamp<int64_t>(req.value("timeout_ms", int64_t{5000}), 0, 5000);
      bool done = key_sync->wait_for_next_sync(std::chrono::milliseconds(ms));
      return {{"ok", done}, {"login", key_sync->status()}, {"error", done ? "" : "no sync finished yet"}};
    }
    if (op == "policy-fetch") {
      if (!fetcher) return {{"ok", false}, {"error", "no central gateway is configured (<config dir>/central.toml)"}};
      auto r = fetcher->fetch_now();
      if (!r) return {{"ok", false}, {"error", r.error().message}};
      return {{"ok", true}, {"result", *r}};
    }
    if (op == "stop") {
      request_stop();
      return {{"ok", true}};
    }
    return {{"ok", false}, {"error", "unknown op '" + op + "'"}};
  };
  ControlServer control(opts.paths.control_socket(), handler);
  GW_CHECK(control.start());
  {
    std::ofstream pid(opts.paths.pid_file(), std::ios::trunc);
    pid << ::getpid() << "\n";
  }
  if (opts.ready_fd >= 0) {
    std::string msg = "ready " + std::to_string(port) + "\n";
    (void)::write(opts.ready_fd, msg.data(), msg.size());
    ::close(opts.ready_fd);
  }
  log::write(log::Level::info, "sidecar listening",
             {{"host", opts.host}, {"port", port}, {"pid", ::getpid()}, {"metrics_port", metrics_port},
              {"policy", policy_source}});

  {
    std::unique_lock lock(g_stop_mutex);
    for (;;) {
      if (g_stop_cv.wait_for(lock, std::chrono::seconds(5), [] { return g_stop; })) break;
      if (opts.idle_exit_s <= 0) continue;
      int64_t idle_ns = mono_ns() - std::max<int64_t>(stats.last_activity_ns(), 0);
      bool quiet = stats.last_activity_ns() == 0 ? clock.now_ms() - started_ms > opts.idle_exit_s * 1000LL
                                                 : idle_ns > opts.idle_exit_s * 1'000'000'000LL;
      if (quiet && sessions.live_count() == 0) {
        log::write(log::Level::info, "exiting after idle period", {{"idle_exit_s", opts.idle_exit_s}});
        break;
      }
    }
  }
  control.stop();
  if (metrics_http) metrics_http->stop();
  listener.stop();
  if (leases) leases->stop();  // after the listener: the spend reported is final
  std::error_code ec;
  fs::remove(opts.paths.pid_file(), ec);
  ::close(lock_fd);
  return {};
}

}  // namespace gw::agent
