#include "agent/key_sync.hpp"

#include <httplib.h>
#include <sys/stat.h>

#include <fstream>
#include <random>

#include "core/common/crypto.hpp"
#include "core/common/log.hpp"

namespace gw::agent {
using nlohmann::json;

Result<config::CentralKeyRecord> fetch_key_record(const std::string& url, const std::string& token,
                                                  const std::string& ca_file, int timeout_s) {
  httplib::Client cli(url);
  if (!ca_file.empty()) cli.set_ca_cert_path(ca_file.c_str());
  cli.set_connection_timeout(timeout_s, 0);
  cli.set_read_timeout(timeout_s, 0);
  auto res = cli.Get("/v1/keys/self", {{"Authorization", "Bearer " + token}});
  if (!res) return fail(Errc::unavailable, "cannot reach " + url + " (" + httplib::to_string(res.error()) + ")");
  json body = json::parse(res->body, nullptr, false);
  if (res->status == 401) {
    // The central does not know this key at all (deleted, or never issued): as good as revoked.
    config::CentralKeyRecord r;
    r.id = "fp:" + fingerprint(token);
    r.revoked = true;
    r.revoked_reason = "the central gateway " + url + " does not know this key (deleted, or never issued)";
    return r;
  }
  if (res->status == 200 || (res->status == 403 && body.is_object() && body.contains("key"))) {
    auto r = config::central_key_from_json(body);
    if (!r) return fail(Errc::unavailable, url + "/v1/keys/self answered an unreadable record: " + r.error().message);
    return r;
  }
  std::string detail;
  if (body.is_object() && body.contains("error") && body["error"].is_object())
    detail = ": " + body["error"].value("message", "");
  return fail(Errc::unavailable, url + "/v1/keys/self answered HTTP " + std::to_string(res->status) + detail);
}

Status save_key_cache(const std::filesystem::path& file, const std::string& url, const std::string& token,
                      const config::CentralKeyRecord& record, int64_t now_ms) {
  json j = {{"url", url}, {"token_sha256", sha256_hex(token)}, {"fetched_ms", now_ms}, {"record", config::to_json(record)}};
  auto tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump();
    if (!out) return fail(Errc::io, "cannot write " + tmp.string());
  }
  ::chmod(tmp.c_str(), 0600);
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return fail(Errc::io, "cannot replace " + file.string() + ": " + ec.message());
  return {};
}

KeySync::KeySync(KeySyncOptions opts, const Clock& clock, OnChange on_change)
    : m_opts(std::move(opts)), m_clock(clock), m_on_change(std::move(on_change)) {
  if (m_opts.cache_file.empty()) return;
  std::ifstream in(m_opts.cache_file);
  if (!in) return;
  json j = json::parse(in, nullptr, false);
  // The cache belongs to one central and one key: after a new `gw login` it is not used.
  if (!j.is_object() || j.value("url", "") != m_opts.url || j.value("token_sha256", "") != sha256_hex(m_opts.token))
    return;
  auto r = config::central_key_from_json(j.value("record", json()));
  if (!r) {
    log::write(log::Level::warn, "ignoring unreadable central key cache", {{"file", m_opts.cache_file.string()}});
    return;
  }
  m_record = std::move(*r);
  m_state = "cached";
  m_last_ok_ms = j.value("fetched_ms", int64_t{0});
}

KeySync::~KeySync() { stop(); }

void KeySync::start() { m_thread = std::thread([this] { loop(); }); }

void KeySync::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void KeySync::loop() {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  for (;;) {
    (void)sync_now();
    auto wait = std::chrono::milliseconds(static_cast<int64_t>(m_opts.interval_s * 1000 * jitter(rng)));
    std::unique_lock lock(m_mutex);
    if (m_cv.wait_for(lock, wait, [this] { return m_stop; })) return;
  }
}

void KeySync::save_cache(const config::CentralKeyRecord& record) const {
  if (m_opts.cache_file.empty()) return;
  if (auto st = save_key_cache(m_opts.cache_file, m_opts.url, m_opts.token, record, m_clock.now_ms()); !st)
    log::write(log::Level::warn, "cannot cache the central key record", {{"error", st.error().message}});
}

Result<std::string> KeySync::sync_now() {
  std::lock_guard sync_lock(m_sync_mutex);
  uint64_t number;
  {
    std::lock_guard lock(m_mutex);
    number = ++m_started;
  }
  auto finish = [&](std::string state, std::string error, bool ok) {
    {
      std::lock_guard lock(m_mutex);
      m_state = std::move(state);
      m_error = std::move(error);
      m_last_check_ms = m_clock.now_ms();
      if (ok) m_last_ok_ms = m_last_check_ms;
      m_finished = std::max(m_finished, number);
    }
    m_cv.notify_all();
  };
  auto got = fetch_key_record(m_opts.url, m_opts.token, m_opts.ca_file);
  if (!got) {
    finish(m_record ? "offline (cached record in force)" : "unreachable", got.error().message, false);
    return std::unexpected(got.error());
  }
  std::optional<config::CentralKeyRecord> before;
  bool changed;
  {
    std::lock_guard lock(m_mutex);
    before = m_record;
    if (before && got->revoked && got->id.starts_with("fp:")) {  // a 401: keep who it was
      got->id = before->id;
      got->owner = before->owner;
      got->team = before->team;
    }
    // The directory revision moves with any key; only this key's own fields count as a change.
    config::CentralKeyRecord a = *got;
    if (before) a.revision = before->revision;
    changed = !before || config::to_json(a) != config::to_json(*before);
    m_record = *got;
  }
  save_cache(*got);
  if (changed) {
    log::write(log::Level::info, "central key record changed",
               {{"key", got->id}, {"revision", got->revision}, {"enabled", got->enabled}, {"revoked", got->revoked}});
    if (m_on_change) m_on_change(before ? &*before : nullptr, *got);
  }
  finish(got->revoked ? "revoked" : got->enabled ? "ok" : "disabled", "", true);
  return std::string(changed ? "changed" : "unchanged");
}

std::optional<config::CentralKeyRecord> KeySync::current() const {
  std::lock_guard lock(m_mutex);
  return m_record;
}

bool KeySync::wait_for_next_sync(std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  uint64_t target = m_started + 1;
  return m_cv.wait_for(lock, timeout, [&] { return m_finished >= target || m_stop; }) && m_finished >= target;
}

json KeySync::status() const {
  std::lock_guard lock(m_mutex);
  json j = {{"url", m_opts.url}, {"state", m_state}, {"error", m_error}, {"last_check_ms", m_last_check_ms},
            {"last_ok_ms", m_last_ok_ms}, {"interval_s", m_opts.interval_s}};
  if (m_record) {
    j["key"] = m_record->id;
    j["owner"] = m_record->owner;
    j["team"] = m_record->team;
    j["revision"] = m_record->revision;
    j["refusal"] = config::central_key_refusal(*m_record, m_opts.url);
  }
  return j;
}

std::shared_ptr<const config::Policy> apply_central_key(const std::shared_ptr<const config::Policy>& policy,
                                                        const KeySync& sync) {
  if (auto record = sync.current()) return config::merge_central_key(*policy, *record, sync.url());
  // Logged in, but no answer yet and nothing cached: the key cannot be confirmed, so launcher
  // sessions are refused (fail closed) until the central answers.
  auto held = std::make_shared<config::Policy>(*policy);
  config::VirtualKey key;
  key.id = "central-unconfirmed";
  key.enabled = false;
  key.refusal = "gw: your central key could not be confirmed: " + sync.url() +
                " has not answered since you logged in, and no earlier answer is cached. Check the network "
                "(gw doctor); requests resume as soon as the central gateway answers.";
  held->keys[key.id] = key;
  held->local_key = key.id;
  return held;
}

}  // namespace gw::agent
