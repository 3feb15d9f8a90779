#include "server/proxy_server.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/audit/device_key.hpp"
#include "core/audit/forwarder.hpp"
#include "core/audit/spool.hpp"
#include "core/common/log.hpp"
#include "core/common/paths.hpp"
#include "core/http/server.hpp"
#include "core/http/tls_server.hpp"
#include "core/limits/admission.hpp"
#include "core/limits/spend_store.hpp"
#include "core/providers/registry.hpp"
#include "core/relay/relay.hpp"
#include "core/secrets/provider_keys.hpp"
#include "core/stages/scan_stage.hpp"
#include "core/stages/stage_list.hpp"
#include "agent/lease_client.hpp"
#include "server/lease_api.hpp"
#include "server/proxy_audit.hpp"

namespace gw::server {
namespace fs = std::filesystem;

namespace {

// The central has no launcher sessions: a gw session token presented here is unknown.
class NoSessions final : public stages::SessionVerifier {
public:
  std::optional<stages::SessionInfo> verify(std::string_view) const override { return std::nullopt; }
};

// Counts requests and logs one line per finished request (ids, never secrets).
class ProxySink final : public stages::ExchangeSink {
public:
  void record(const pipeline::Exchange& ex) override {
    m_requests.fetch_add(1, std::memory_order_relaxed);
    if (ex.outcome == pipeline::Outcome::denied) m_denied.fetch_add(1, std::memory_order_relaxed);
    if (!log::enabled(log::Level::info)) return;
    auto us = [](int64_t from, int64_t to) { return from && to ? (to - from) / 1000 : 0; };
    nlohmann::json line = {{"id", ex.id}, {"provider", ex.provider ? ex.provider->id() : ""},
                           {"endpoint", providers::endpoint_name(ex.route.endpoint)}, {"model", ex.info.model},
                           {"status", ex.status}, {"outcome", pipeline::outcome_name(ex.outcome)},
                           {"key", ex.identity.key_id}, {"agent", ex.agent},
                           {"total_us", us(ex.t.start_ns, ex.t.end_ns)}};
    if (!ex.reason.empty()) line["reason"] = ex.reason;
    log::write(log::Level::info, "proxy request", line);
  }
  ProxyCounters counters() const { return {m_requests.load(), m_denied.load()}; }

private:
  std::atomic<uint64_t> m_requests{0}, m_denied{0};
};

audit::SpoolOptions spool_options(const ServerConfig& c, const config::AuditPolicy& a) {
  audit::SpoolOptions o;
  o.dir = c.storage_path.string() + ".proxy/audit";
  o.device_id = c.proxy.device_id;
  o.max_bytes = static_cast<uint64_t>(a.max_spool_mb) << 20;
  o.segment_bytes = std::min<uint64_t>(o.segment_bytes, std::max<uint64_t>(o.max_bytes / 4, 64 * 1024));
  // What the store acknowledged may go when the spool fills: the store holds it.
  o.on_full = audit::FullPolicy::prune_shipped;
  o.checkpoint_every_events = static_cast<uint64_t>(a.checkpoint_every_events);
  o.checkpoint_every_ms = a.checkpoint_every_seconds * 1000;
  return o;
}

}  // namespace

struct ProxyServer::Impl {
  Impl(const ServerConfig& c, storage::AuditStore& s, const Clock& cl)
      : config(c), store(s), clock(cl), upstream([&] {
          http::UpstreamOptions o;
          o.ca_file = c.proxy.ca_file;
          return o;
        }()),
        keys(nullptr, "the central gateway has no OS keychain: give the provider key to gw serve with "
                      "credential = { env = \"VAR\" } or { file = \"PATH\" } in the policy"),
        device_keys(c.storage_path.string() + ".proxy") {}

  const ServerConfig& config;
  storage::AuditStore& store;
  const Clock& clock;
  providers::Registry registry;
  http::UpstreamPool upstream;
  NoSessions sessions;
  secrets::ProviderKeys keys;
  ProxySink sink;
  storage::LeaseLedger* ledger = nullptr;
  std::function<std::shared_ptr<const config::Policy>()> ledger_policy;
  std::unique_ptr<LeaseApi> lease_api;                 // the central ledger, in process
  std::unique_ptr<agent::LeaseClient> lease_client;    // outlives the admission that uses it
  std::unique_ptr<limits::SqliteSpendStore> spend;
  std::unique_ptr<limits::Admission> admission;
  stages::GuardrailState guardrails;
  audit::FileDeviceKeyStore device_keys;
  std::unique_ptr<audit::Spool> spool;           // outlives every pipeline built over it
  std::unique_ptr<audit::Forwarder> forwarder;   // declared after the spool: stops first
  std::unique_ptr<stages::Services> services;
  std::unique_ptr<relay::Relay> relay;
  std::unique_ptr<http::Server> server;
  mutable std::mutex mutex;  // installs; the source below
  std::string source;
  int port = 0;

  Status ensure_audit(const config::AuditPolicy& a);
  void on_request(http::ServerRequest& req);
};

Status ProxyServer::Impl::ensure_audit(const config::AuditPolicy& a) {
  if (!a.enabled || spool) return {};
  fs::path key_dir = config.storage_path.string() + ".proxy";
  GW_CHECK(ensure_private_dir(key_dir));
  auto opened = audit::Spool::open(spool_options(config, a), device_keys);
  if (!opened) {
    if (a.fail_mode == config::AuditPolicy::FailMode::closed)
      return fail(Errc::io, "cannot open the provider proxy's audit spool: " + opened.error().message +
                                ". Fix it, or set [audit] fail_mode = \"open\" in policy to run without it");
    log::write(log::Level::error, "proxy audit spool unavailable; requests are forwarded unaudited (fail_mode = open)",
               {{"error", opened.error().message}});
    return {};
  }
  spool = std::move(*opened);
  GW_TRY(key, device_keys.load_or_create());
  audit::ForwarderOptions fo;
  fo.idle_poll_ms = 50;  // a local check: keeps the store (and the SIEM feed) close behind
  fo.max_batch_records = std::min<size_t>(1000, config.max_batch_records);
  forwarder = std::make_unique<audit::Forwarder>(
      *spool, std::move(key), make_store_transport(store, clock, config.max_batch_records), fo, clock);
  forwarder->start();
  log::write(log::Level::info, "proxy audit started", {{"device", spool->device_id()}, {"acked_seq", spool->acked_seq()}});
  return {};
}

void ProxyServer::Impl::on_request(http::ServerRequest& req) {
  http::RequestHead& head = req.head();
  http::ResponseWriter& res = req.response();
  if (head.method == "GET" && head.path == "/v1/health") {
    auto snap = relay->snapshot();
    std::string body = nlohmann::json{{"status", "ok"}, {"version", GW_VERSION}, {"policy", snap->policy->version}}.dump();
    res.send(200, {}, "application/json", body);
    return;
  }
  // The response is relayed as the upstream sent it; never re-encoded here.
  head.headers.remove("Accept-Encoding");
  auto body = req.read_body(config.proxy.max_body_bytes);
  if (!body) {
    switch (body.error().code) {
      case Errc::denied: return relay->refuse(head, res, 413, "gw: " + body.error().message);
      case Errc::protocol: return relay->refuse(head, res, 400, "gw: " + body.error().message);
      case Errc::timeout:
        res.close_after();
        return relay->refuse(head, res, 408, "gw: the request body stalled: " + body.error().message);
      default: return res.close_after();  // the client left mid-body
    }
  }
  relay->handle(head, std::move(*body), res);
}

ProxyServer::ProxyServer(const ServerConfig& config, storage::AuditStore& store, const Clock& clock)
    : m(std::make_unique<Impl>(config, store, clock)) {}

ProxyServer::~ProxyServer() { stop(); }

void ProxyServer::use_lease_ledger(storage::LeaseLedger* ledger,
                                   std::function<std::shared_ptr<const config::Policy>()> policy) {
  m->ledger = ledger;
  m->ledger_policy = std::move(policy);
}

Status ProxyServer::open(std::shared_ptr<const config::Policy> policy, std::string source) {
  fs::path ledger = m->config.storage_path.string() + ".spend.db";
  auto spend = limits::SqliteSpendStore::open(ledger);
  if (!spend) return fail(Errc::io, "cannot open the proxy's spend ledger " + ledger.string() + ": " + spend.error().message);
  m->spend = std::move(*spend);
  m->admission = std::make_unique<limits::Admission>(m->clock, *m->spend);
  if (m->ledger && m->ledger_policy) {
    fs::path state_dir = m->config.storage_path.string() + ".proxy";
    GW_CHECK(ensure_private_dir(state_dir));
    m->lease_api = std::make_unique<LeaseApi>(m->config, *m->ledger, m->clock, m->ledger_policy);
    agent::LeaseClientOptions lo;
    lo.url = "in-process central ledger";
    lo.device_id = m->config.proxy.device_id;
    lo.state_file = state_dir / "leases.json";
    LeaseApi* api = m->lease_api.get();
    lo.transport = [api](const std::string& body) -> std::optional<std::pair<int, std::string>> {
      auto r = api->handle(body, k_proxy_enrollment);
      if (r.status >= 500) return std::nullopt;
      return std::make_pair(r.status, r.body.dump());
    };
    m->lease_client = std::make_unique<agent::LeaseClient>(std::move(lo), m->clock);
    m->lease_client->start();
    m->admission->set_central(m->lease_client.get());
  }
  m->services = std::make_unique<stages::Services>(stages::Services{
      m->registry, m->upstream, m->sessions, m->keys, m->sink, m->clock, *m->admission, nullptr, &m->guardrails});
  m->relay = std::make_unique<relay::Relay>(*m->services);
  return install(std::move(policy), std::move(source));
}

Status ProxyServer::install(std::shared_ptr<const config::Policy> policy, std::string source) {
  std::lock_guard lock(m->mutex);
  GW_CHECK(m->ensure_audit(policy->audit));
  m->services->audit_spool = m->spool.get();
  m->relay->install(std::make_shared<const relay::Snapshot>(relay::Snapshot{policy, stages::build_pipeline(*m->services, policy)}));
  m->source = std::move(source);
  log::write(log::Level::info, "proxy policy in force", {{"version", policy->version}, {"source", m->source}});
  return {};
}

Result<int> ProxyServer::start() {
  http::ServerOptions o;
  o.host = m->config.proxy.host;
  o.port = m->config.proxy.port;
  o.idle_timeout_ms = 300'000;
  o.read_timeout_ms = 120'000;
  o.write_timeout_ms = 600'000;  // a client may stop reading for a while; never cut a stream early
  if (m->config.tls()) {
    GW_TRY(tls, http::TlsServerContext::load(m->config.tls_cert, m->config.tls_key));
    o.tls = std::move(tls);
  }
  Impl* impl = m.get();
  m->server = std::make_unique<http::Server>(o, [impl](http::ServerRequest& req) { impl->on_request(req); });
  auto port = m->server->start();
  if (!port)
    return fail(port.error().code, "the provider proxy ([proxy] listen): " + port.error().message);
  m->port = *port;
  return *port;
}

void ProxyServer::stop() {
  if (m->server) m->server->stop();
  if (m->lease_client) m->lease_client->stop();  // reports the final spend, releases the leases
  if (m->forwarder) {
    // Hand the store everything the spool holds before stopping (bounded: the store is local):
    // a checkpoint makes the queued records durable, then wait for its acknowledgement.
    (void)m->spool->checkpoint_now();
    m->forwarder->poke();
    if (!m->forwarder->wait_for_ack(m->spool->last_seq(), std::chrono::seconds(5)))
      log::write(log::Level::warn, "the proxy's audit records were not all stored before stopping; they are "
                 "stored at the next start", {{"status", audit::to_json(m->forwarder->status())}});
    m->forwarder->stop();
    m->forwarder.reset();
  }
}

int ProxyServer::port() const { return m->port; }

std::string ProxyServer::policy_version() const { return m->relay ? m->relay->snapshot()->policy->version : ""; }

ProxyCounters ProxyServer::counters() const { return m->sink.counters(); }

}  // namespace gw::server
