#include "server/central_server.hpp"

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/audit/device_key.hpp"
#include "core/common/crypto.hpp"
#include "core/common/log.hpp"
#include "core/siem/exporters.hpp"
#include "core/storage/pg_stores.hpp"
#include "core/storage/sqlite_audit_store.hpp"
#include "core/storage/sqlite_lease_ledger.hpp"
#include "server/admin_api.hpp"
#include "server/ingest.hpp"
#include "server/key_directory_lookup.hpp"
#include "server/key_self_api.hpp"
#include "server/lease_api.hpp"
#include "server/policy_distribution.hpp"
#include "server/proxy_server.hpp"

namespace gw::server {
using nlohmann::json;

namespace {

void reply_error(httplib::Response& res, int status, std::string_view code, const std::string& message) {
  res.status = status;
  res.set_content(json{{"error", {{"code", code}, {"message", message}}}}.dump(), "application/json");
}

}  // namespace

CentralServer::CentralServer(const ServerConfig& config, storage::AuditStore& store, const Clock& clock)
    : m_config(config), m_store(store), m_clock(clock) {}

CentralServer::CentralServer(const ServerConfig& config, storage::Stores& stores, const Clock& clock)
    : m_config(config), m_store(*stores.audit), m_clock(clock), m_ledger(stores.leases.get()), m_stores(&stores) {}

CentralServer::~CentralServer() { stop(); }

void CentralServer::add_routes() {
  auto& s = *m_server;
  s.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(json{{"status", "ok"}, {"version", GW_VERSION}}.dump(), "application/json");
  });
  s.Post("/v1/audit/batches", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = m_auth->authenticate(req.get_header_value("Authorization"));
    if (!caller) return reply_error(res, caller.error().status, caller.error().code, caller.error().message);
    std::string token_id = caller->kind == DeviceCaller::Kind::enrollment_token ? caller->id : caller->label();
    auto batch = parse_batch_body(req.body, m_config.max_batch_records);
    if (!batch) return reply_error(res, 400, "invalid_batch", batch.error().message);
    batch->enrollment_id = token_id;
    std::string sig_header = req.get_header_value(k_signature_header);
    auto key = audit::DeviceKey::from_public(unhex(batch->public_key_hex));
    std::string sig = sig_header.starts_with("ed25519=") ? unhex(std::string_view(sig_header).substr(8)) : "";
    if (!key || sig.size() != 64 || !key->verify(req.body, sig))
      return reply_error(res, 401, "bad_signature",
                         std::string(k_signature_header) +
                             " must be ed25519=<hex> signed over the body by the key in \"public_key\"");
    auto result = ingest_batch(m_store, *batch, m_clock);
    if (!result) {
      if (result.error().code == Errc::invalid_argument)
        return reply_error(res, 400, "invalid_batch", result.error().message);
      log::write(log::Level::error, "audit ingest failed", {{"device", batch->device_id}, {"error", result.error().message}});
      return reply_error(res, 503, "store_unavailable", "the central store could not take the batch; retry later");
    }
    m_batches.fetch_add(1);
    json body = {{"acked_seq", result->acked_seq}, {"epoch", result->epoch}, {"stored", result->stored},
                 {"duplicates", result->duplicates}, {"alarms", result->alarms}};
    if (!result->rejected.empty()) {
      body["error"] = {{"code", "key_mismatch"}, {"message", result->rejected}};
      res.status = 403;
    }
    if (!result->alarms.empty())
      log::write(log::Level::warn, "audit alarm", {{"device", batch->device_id}, {"alarms", result->alarms}});
    res.set_content(body.dump(), "application/json");
  });
}

Result<int> CentralServer::start() {
  if (m_config.tls()) {
    auto ssl = std::make_unique<httplib::SSLServer>(m_config.tls_cert.c_str(), m_config.tls_key.c_str());
    if (!ssl->is_valid())
      return fail(Errc::config, "cannot use the TLS certificate " + m_config.tls_cert.string() + " with key " +
                                    m_config.tls_key.string() + " (not PEM, or the key does not match)");
    m_server = std::move(ssl);
  } else {
    m_server = std::make_unique<httplib::Server>();
  }
  m_server->set_payload_max_length(m_config.max_body_bytes);
  m_server->set_read_timeout(30, 0);
  m_server->set_write_timeout(30, 0);
  m_server->set_tcp_nodelay(true);  // replies go out as headers + body: no Nagle wait on the second write
  m_server->set_keep_alive_timeout(60);
  m_server->set_keep_alive_max_count(100000);
  m_auth = std::make_unique<DeviceAuth>(m_config.enrollment_tokens, m_key_lookup, m_clock);
  add_routes();
  add_key_self_route(*m_server, *m_auth, m_key_revision);
  m_policy = std::make_unique<PolicyDistribution>(m_config, m_clock);
  GW_CHECK(m_policy->open());
  m_policy->add_routes(*m_server, *m_auth);
  if (m_ledger) {
    m_leases = std::make_unique<LeaseApi>(m_config, *m_ledger, m_clock, [this] { return m_policy->policy(); });
    m_leases->add_routes(*m_server, *m_auth);
  }
  if (m_stores) {
    m_admin = std::make_unique<AdminApi>(m_config, *m_stores, m_policy.get(), m_clock);
    m_admin->add_routes(*m_server);
  }
  int port = m_config.port == 0 ? m_server->bind_to_any_port(m_config.host)
                                : (m_server->bind_to_port(m_config.host, m_config.port) ? m_config.port : -1);
  if (port <= 0)
    return fail(Errc::unavailable, "cannot listen on " + m_config.host + ":" + std::to_string(m_config.port) +
                                       " (address in use or not available)");
  m_port = port;
  m_thread = std::thread([this] { m_server->listen_after_bind(); });
  return port;
}

void CentralServer::stop() {
  if (m_server) m_server->stop();
  if (m_thread.joinable()) m_thread.join();
}

Status run_serve(const ServerConfig& config, int ready_fd) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts: only sigwait sees them
  // A client that leaves mid-response must not kill the server: OpenSSL writes to sockets with
  // write(), which raises SIGPIPE; with it ignored the write fails with EPIPE instead.
  ::signal(SIGPIPE, SIG_IGN);

  // The stores: one SQLite file, or PostgreSQL shared with other replicas.
  GW_TRY(stores, storage::open_stores(config.store_config()));
  storage::AuditStore* store = stores.audit.get();
  std::string storage_name = stores.name;
  SystemClock clock;
  // SIEM export reads the store on its own threads; declared after the store, so it is
  // destroyed (stopped) before the store closes. Built first: a missing token fails the start.
  GW_TRY(siem, siem::SiemExporters::create(config.siem, *store,
                                           std::make_unique<siem::FileCursorStore>(config.siem_cursor_dir())));
  CentralServer server(config, stores, clock);
  // Devices may authenticate with central keys (gw login) when the store has a key directory.
  if (stores.keys) connect_key_directory(server, *stores.keys);
  GW_TRY(port, server.start());
  // The provider proxy ([proxy]): its own port, the same TLS; declared after the store.
  std::unique_ptr<ProxyServer> proxy;
  if (config.proxy.enabled) {
    auto started = start_proxy(config, *store, clock, server.policy_distribution(), stores.leases.get());
    if (!started) {
      server.stop();
      return std::unexpected(started.error());
    }
    proxy = std::move(*started);
  }
  if (auto st = siem->start(); !st) {
    server.stop();
    if (proxy) proxy->stop();
    return st;
  }
  if (siem->size() > 0) {
    nlohmann::json sinks = nlohmann::json::array();
    for (const auto& s : siem->status()) sinks.push_back({{"name", s.name}, {"type", s.type}, {"cursor", s.cursor}});
    log::write(log::Level::info, "siem export started", {{"sinks", sinks}});
  }
  if (ready_fd >= 0) {
    std::string msg = "ready " + std::to_string(port) + "\n";
    (void)::write(ready_fd, msg.data(), msg.size());
    ::close(ready_fd);
  }
  std::string scheme = config.tls() ? "https" : "http";
  nlohmann::json listening = {{"url", scheme + "://" + config.host + ":" + std::to_string(port)}, {"port", port},
                              {"storage", storage_name}, {"pid", ::getpid()}};
  if (proxy) {
    listening["proxy_url"] = scheme + "://" + config.proxy.host + ":" + std::to_string(proxy->port());
    listening["proxy_port"] = proxy->port();
    listening["proxy_policy"] = proxy->policy_version();
  }
  log::write(log::Level::info, "gw serve listening", listening);
  int sig = 0;
  sigwait(&set, &sig);
  log::write(log::Level::info, "gw serve stopping", {{"signal", sig}});
  server.stop();
  if (proxy) proxy->stop();
  siem->stop();
  log::write(log::Level::info, "gw serve stopped", {{"batches", server.batches()}});
  return {};
}

}  // namespace gw::server
