#include "agent/lease_client.hpp"

#include <httplib.h>

#include <algorithm>

#include "agent/lease_state.hpp"
#include "core/audit/central_config.hpp"
#include "core/common/ids.hpp"
#include "core/common/log.hpp"
#include "core/config/prices.hpp"
#include "core/storage/lease_rules.hpp"

namespace gw::agent {
using nlohmann::json;

namespace {

constexpr int64_t k_failure_grace_ms = 5000;  // after a failed call, spend a held (expired) lease without retrying
constexpr int64_t k_max_backoff_ms = 30'000;

std::string owner_text(const std::string& scope) {
  if (scope == "org") return "the organisation";
  auto colon = scope.find(':');
  return scope.substr(0, colon) + " " + scope.substr(colon + 1);
}

}  // namespace

LeaseClient::LeaseClient(LeaseClientOptions opts, const Clock& clock) : m_opts(std::move(opts)), m_clock(clock) {
  load();
}

LeaseClient::~LeaseClient() { stop(); }

void LeaseClient::start() { m_thread = std::thread([this] { loop(); }); }

bool LeaseClient::is_central(const config::Policy& policy, const config::Budget& budget) const {
  // Only a policy the central distributed (a signed bundle) names budgets the central knows.
  return policy.validity.has_value() && budget.window == config::Window::calendar;
}

LeaseClient::Lease& LeaseClient::lease_for(const limits::CentralBudgetRef& ref) {
  auto& slot = m_leases[ref.scope + "|" + ref.name];
  if (!slot) {
    slot = std::make_unique<Lease>();
    slot->scope = ref.scope;
    slot->budget = ref.name;
  }
  return *slot;
}

bool LeaseClient::call(std::unique_lock<std::mutex>& lk, Lease& l, const char* op, int64_t want) {
  l.renewing = true;
  const std::string sent_lease = l.lease_id;
  const int64_t snapshot = l.spent;
  json body = {{"v", 1},           {"op", op},          {"request_id", uuid_v7()}, {"device_id", m_opts.device_id},
               {"scope", l.scope}, {"budget", l.budget}, {"want_nano", want}};
  if (!sent_lease.empty()) {
    body["lease_id"] = sent_lease;
    body["window_start_ms"] = l.window_start;
    body["spent_nano"] = snapshot;
  }
  lk.unlock();
  // A retry of the same request id is answered the same way: retry once on a transport error.
  auto post = [&] {
    httplib::Client cli(m_opts.url);
    if (!m_opts.ca_file.empty()) cli.set_ca_cert_path(m_opts.ca_file.c_str());
    cli.set_connection_timeout(m_opts.connect_timeout_s, 0);
    cli.set_read_timeout(m_opts.timeout_s, 0);
    cli.set_write_timeout(m_opts.timeout_s, 0);
    return cli.Post("/v1/leases", {{"Authorization", "Bearer " + m_opts.token}}, body.dump(), "application/json");
  };
  // The answer as (status, body); nullopt when unreachable (transport_error says why).
  std::optional<std::pair<int, std::string>> answer;
  std::string transport_error;
  if (m_opts.transport) {
    answer = m_opts.transport(body.dump());
    if (!answer) transport_error = "the central lease ledger is unavailable";
  } else {
    httplib::Result res = post();
    if (!res && res.error() != httplib::Error::Connection) res = post();
    if (res) answer = std::make_pair(res->status, res->body);
    else transport_error = httplib::to_string(res.error());
  }
  lk.lock();
  l.renewing = false;
  m_cv.notify_all();
  const int64_t now = m_clock.now_ms();
  l.last_call_ms = now;
  auto failed = [&](std::string why, bool offline) {
    l.error = std::move(why);
    l.offline = offline;
    l.failures++;
    l.retry_at = now + std::min<int64_t>(k_max_backoff_ms, 1000LL << std::min(l.failures, 5));
    return false;
  };
  if (!answer)
    return failed("cannot reach the central gateway at " + m_opts.url + " (" + transport_error + ")", true);
  const int status = answer->first;
  json j = json::parse(answer->second, nullptr, false);
  std::string message = j.is_object() && j.contains("error") && j["error"].is_object() ? j["error"].value("message", "") : "";
  const json* lease = status == 200 ? &j : (status == 409 && j.contains("lease") ? &j["lease"] : nullptr);
  if (!lease) {
    bool offline = status >= 500;
    return failed("the central gateway answered HTTP " + std::to_string(status) + " to a lease " + op +
                      (message.empty() ? std::string() : ": " + message),
                  offline);
  }
  auto a = storage::lease_answer_from_json(*lease);
  if (!a) return failed("the central gateway's lease answer is malformed: " + a.error().message, false);
  if (!sent_lease.empty() && a->lease_id != sent_lease) {
    l.spent -= snapshot;  // the old lease took the snapshot; what came after belongs to the new one
    l.reported = 0;
  }
  if (std::string(op) == "release") {
    l.lease_id.clear();
    l.granted = 0;
    l.spent = 0;
    l.reported = 0;
  } else {
    l.lease_id = a->lease_id;
    l.granted = a->granted_nano;
    l.reported = a->spent_nano;
  }
  l.window_start = a->window_start_ms;
  l.window_end = a->window_end_ms;
  l.expires_at = a->expires_at_ms;
  l.limit = a->limit_nano;
  l.settled = a->settled_nano;
  l.remaining = a->remaining_nano;
  l.slice = lease->value("slice_nano", l.slice);
  l.ttl_ms = lease->value("ttl_ms", l.ttl_ms);
  l.last_ok_ms = now;
  l.failures = 0;
  l.retry_at = 0;
  l.offline = false;
  // 409: the request's need could not be granted. A top-up that got nothing from a budget with
  // nothing left is "exhausted" too, so the renewer does not ask again until spend is reported.
  l.exhausted = status == 409 || (a->grant_nano == 0 && a->remaining_nano == 0 && l.balance() < l.slice / 4);
  l.error = status == 409 ? message : std::string();
  m_dirty = true;
  return true;
}

std::expected<void, limits::Denial> LeaseClient::reserve(const limits::CentralBudgetRef& ref, int64_t cost) {
  std::unique_lock lk(m_mu);
  Lease& l = lease_for(ref);
  bool tried = false;
  for (;;) {
    const int64_t now = m_clock.now_ms();
    const bool held = !l.lease_id.empty() && now < l.window_end;
    const bool fresh = now < l.expires_at;
    const bool offline_recently = l.offline && now - l.last_call_ms < k_failure_grace_ms;
    if (held && l.balance() >= cost && (fresh || tried || offline_recently)) {
      l.reserved += cost;
      if (l.balance() < l.slice / 4) m_cv.notify_all();  // low water: the renewer tops up
      return {};
    }
    if (l.renewing) {
      m_cv.wait(lk);
      continue;
    }
    if (tried) return std::unexpected(denial(l, cost));
    tried = true;
    const int64_t balance = held ? std::max<int64_t>(l.balance(), 0) : 0;
    call(lk, l, l.lease_id.empty() ? "acquire" : "renew", std::max<int64_t>(cost - balance, 0));
  }
}

limits::Denial LeaseClient::denial(const Lease& l, int64_t cost) const {
  limits::Denial d;
  d.kind = limits::Denial::Kind::budget;
  d.limit_nano = l.limit;
  d.spent_nano = l.settled;
  d.resets_at_ms = l.window_end;
  const std::string what = "budget '" + l.budget + "' of " + owner_text(l.scope);
  if (l.exhausted) {
    d.central_reason = "budget";
    d.central_detail = !l.error.empty() ? l.error
                                        : what + " is exhausted at the central gateway: " + config::format_usd(l.settled) +
                                              " of " + config::format_usd(l.limit) + " spent or leased to devices";
  } else if (l.offline) {
    d.central_reason = "lease_offline";
    d.central_detail = "the central gateway cannot be reached to top up this device's lease on " + what + " (" +
                       l.error + "); the lease has " + config::format_usd(std::max<int64_t>(l.balance(), 0)) +
                       " left and this request may cost up to " + config::format_usd(cost) +
                       ". Requests within what is left still run; reconnect to continue.";
  } else {
    d.central_reason = "lease_refused";
    d.central_detail = "the central gateway gave no lease on " + what + ": " + l.error;
  }
  return d;
}

void LeaseClient::settle(const limits::CentralBudgetRef& ref, int64_t reserved, int64_t cost) {
  std::lock_guard lk(m_mu);
  Lease& l = lease_for(ref);
  l.reserved -= reserved;
  l.spent += cost;
  if (cost > 0) m_dirty = true;
  if (l.balance() < l.slice / 4) m_cv.notify_all();
}

bool LeaseClient::due(const Lease& l, int64_t now) const {
  if (l.lease_id.empty() || l.renewing || now < l.retry_at) return false;
  const bool used = l.spent > l.reported || l.reserved > 0;
  if (now >= l.window_end) return used;                  // roll over into the new window
  if (l.balance() < l.slice / 4 && !l.exhausted) return true;  // low water
  if (used && now >= l.expires_at - l.ttl_ms / 3) return true;  // keep a lease in use alive
  return l.spent > l.reported && now - l.last_ok_ms >= l.ttl_ms / 3;  // report spend regularly
}

void LeaseClient::loop() {
  std::unique_lock lk(m_mu);
  while (!m_stop) {
    const int64_t now = m_clock.now_ms();
    for (auto& [_, l] : m_leases)
      if (!m_stop && due(*l, now)) call(lk, *l, "renew", 0);
    if (m_dirty) save_locked();
    // Sleep until the earliest moment something may become due (low water notifies).
    int64_t next = now + k_max_backoff_ms;
    for (const auto& [_, l] : m_leases) {
      if (l->lease_id.empty()) continue;
      const bool used = l->spent > l->reported || l->reserved > 0;
      if (l->failures > 0) next = std::min(next, l->retry_at);
      if (used) next = std::min({next, l->expires_at - l->ttl_ms / 3, l->window_end});
      if (l->spent > l->reported) next = std::min(next, l->last_ok_ms + l->ttl_ms / 3);
    }
    next = std::max(next, now + 200);
    m_cv.wait_for(lk, std::chrono::milliseconds(next - now));
  }
}

int LeaseClient::sync_now() {
  std::unique_lock lk(m_mu);
  int ok = 0;
  for (auto& [_, l] : m_leases) {
    while (l->renewing) m_cv.wait(lk);
    if (!l->lease_id.empty() && call(lk, *l, "renew", 0)) ++ok;
  }
  if (m_dirty) save_locked();
  return ok;
}

void LeaseClient::stop() {
  std::unique_lock lk(m_mu);
  if (m_stopped) return;
  m_stopped = true;
  m_stop = true;
  m_cv.notify_all();
  lk.unlock();
  if (m_thread.joinable()) m_thread.join();
  lk.lock();
  for (auto& [_, l] : m_leases)
    if (!l->lease_id.empty() && !call(lk, *l, "release", 0))
      log::write(log::Level::warn, "lease not released; the central frees it at expiry",
                 {{"scope", l->scope}, {"budget", l->budget}, {"error", l->error}});
  save_locked();
}

json LeaseClient::status() const {
  std::lock_guard lk(m_mu);
  json leases = json::array();
  for (const auto& [_, l] : m_leases) {
    std::string state = l->lease_id.empty() ? "none" : l->offline ? "offline" : l->exhausted ? "exhausted" : "ok";
    leases.push_back({{"scope", l->scope}, {"budget", l->budget}, {"lease_id", l->lease_id},
                      {"granted_nano", l->granted}, {"spent_nano", l->spent}, {"reported_nano", l->reported},
                      {"reserved_nano", l->reserved}, {"balance_nano", l->balance()}, {"expires_at_ms", l->expires_at},
                      {"window_end_ms", l->window_end}, {"limit_nano", l->limit}, {"remaining_nano", l->remaining},
                      {"state", state}, {"error", l->error}});
  }
  return {{"url", m_opts.url}, {"leases", leases}};
}

Result<std::unique_ptr<LeaseClient>> start_lease_client(const Paths& paths, const Clock& clock,
                                                        const std::string& device_id,
                                                        const audit::LoginTokenReader& login) {
  GW_TRY(cfg, audit::load_central_config(paths.config_dir, login));
  if (!cfg) return std::unique_ptr<LeaseClient>();
  LeaseClientOptions o;
  o.url = cfg->url;
  o.token = cfg->token;
  o.ca_file = cfg->ca_file;
  o.device_id = device_id;
  o.state_file = paths.state_dir / "leases.json";
  auto client = std::make_unique<LeaseClient>(std::move(o), clock);
  client->start();
  return client;
}

}  // namespace gw::agent
