#include "server/policy_distribution.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "core/common/crypto.hpp"
#include "core/common/files.hpp"
#include "core/common/log.hpp"
#include "core/policy/bundle.hpp"

namespace gw::server {
using nlohmann::json;

namespace {

void reply_error(httplib::Response& res, int status, std::string_view code, const std::string& message) {
  res.status = status;
  res.set_content(json{{"error", {{"code", code}, {"message", message}}}}.dump(), "application/json");
}

int status_for(policy::Rejection r) {
  switch (r) {
    case policy::Rejection::rollback:
    case policy::Rejection::same_version_changed: return 409;  // conflicts with what is published
    case policy::Rejection::oversized: return 413;
    default: return 422;
  }
}

}  // namespace

std::string authenticate_bearer(const std::vector<EnrollmentToken>& tokens, const std::string& authorization) {
  if (!authorization.starts_with("Bearer ")) return {};
  std::string hash = "sha256:" + sha256_hex(std::string_view(authorization).substr(7));
  std::string found;
  for (const auto& t : tokens)
    if (constant_time_equal(hash, t.secret_hash) && found.empty()) found = t.id;
  return found;
}

PolicyDistribution::PolicyDistribution(const ServerConfig& config, const Clock& clock)
    : m_config(config), m_clock(clock), m_store(config.policy.bundle_dir) {}

Status PolicyDistribution::open() {
  if (!m_config.policy.enabled()) return {};
  m_trust.org = m_config.policy.org;
  m_trust.threshold = m_config.policy.threshold;
  for (const auto& file : m_config.policy.roots) {
    GW_TRY(pem, read_file(file, 1 << 16));
    GW_TRY(key, Ed25519Key::from_pem(pem, file.string()));
    if (key.has_private())
      return fail(Errc::config, file.string() + " is a private key; [policy] roots takes the public keys (ROOT.pub)");
    m_trust.roots.emplace(key.key_id(), std::move(key));
  }
  GW_TRY(current, m_store.load_current());
  if (current) {
    m_bytes = std::move(*current);
    m_etag = "\"" + sha256_hex(m_bytes) + "\"";
    // It was verified when published; verified again here only to get its policy (for leases).
    policy::VerifyOptions opts;
    opts.now_s = m_clock.now_ms() / 1000;
    opts.allow_grace = true;
    if (auto v = policy::verify_bundle(m_bytes, m_trust, policy::BundleState{}, opts))
      m_policy = v->policy;
    else
      log::write(log::Level::warn, "the published policy bundle no longer verifies; budget leases are refused until the next publish",
                 {{"reason", v.error().message}});
  }
  return {};
}

std::shared_ptr<const config::Policy> PolicyDistribution::policy() const {
  std::lock_guard lock(m_mutex);
  return m_policy;
}

std::expected<std::optional<policy::VerifiedBundle>, policy::BundleError> PolicyDistribution::current() const {
  if (!m_config.policy.enabled()) return std::nullopt;
  std::lock_guard lock(m_mutex);
  if (m_bytes.empty()) return std::nullopt;
  auto info = m_store.load_info();
  if (!info) return std::unexpected(policy::BundleError{policy::Rejection::malformed, info.error().message});
  policy::VerifyOptions opts;
  opts.now_s = m_clock.now_ms() / 1000;
  auto v = policy::verify_bundle(m_bytes, m_trust, info->state, opts);
  if (!v) return std::unexpected(v.error());
  return std::optional<policy::VerifiedBundle>(std::move(*v));
}

void PolicyDistribution::add_routes(httplib::Server& s, const DeviceAuth& auth) {
  s.Get("/v1/policy/bundle", [this, &auth](const httplib::Request& req, httplib::Response& res) {
    if (auto caller = auth.authenticate(req.get_header_value("Authorization")); !caller)
      return reply_error(res, caller.error().status, caller.error().code, caller.error().message);
    std::lock_guard lock(m_mutex);
    if (m_bytes.empty())
      return reply_error(res, 404, "no_bundle", "no policy bundle has been published yet (gw policy publish BUNDLE --server URL)");
    res.set_header("ETag", m_etag);
    res.set_header("Cache-Control", "no-cache");
    if (req.get_header_value("If-None-Match") == m_etag) {
      res.status = 304;
      return;
    }
    res.set_content(m_bytes, "application/vnd.gw.policy-bundle+json");
  });
  s.Post("/v1/policy/bundle", [this](const httplib::Request& req, httplib::Response& res) {
    std::string who = authenticate_bearer(m_config.policy.publishers, req.get_header_value("Authorization"));
    if (who.empty())
      return reply_error(res, 401, "unauthorized",
                         "missing or unknown publisher token (Authorization: Bearer ...); tokens are configured under "
                         "[policy.publishers] of server.toml");
    PublishOutcome out = publish(req.body, "publisher " + who);
    res.status = out.status;
    res.set_content(out.body.dump(), "application/json");
  });
}

PublishOutcome PolicyDistribution::publish(const std::string& bundle, const std::string& who) {
  auto error = [](int status, std::string_view code, const std::string& message) {
    return PublishOutcome{status, json{{"error", {{"code", code}, {"message", message}}}}};
  };
  if (!m_config.policy.enabled())
    return error(404, "policy_disabled", "this central gateway does not distribute policy (no [policy] in server.toml)");
  std::lock_guard lock(m_mutex);
  auto info = m_store.load_info();
  if (!info) return error(503, "store_unavailable", info.error().message);
  policy::VerifyOptions opts;
  opts.now_s = m_clock.now_ms() / 1000;
  auto v = policy::verify_bundle(bundle, m_trust, info->state, opts);
  if (!v) {
    log::write(log::Level::warn, "policy publish refused",
               {{"publisher", who}, {"reason", policy::to_string(v.error().reason)}});
    return error(status_for(v.error().reason), policy::to_string(v.error().reason), v.error().message);
  }
  if (!v->unchanged) {
    if (auto st = m_store.install(bundle, v->next_state, who, opts.now_s); !st)
      return error(503, "store_unavailable", st.error().message);
    m_bytes = bundle;
    m_policy = v->policy;
    m_etag = "\"" + sha256_hex(m_bytes) + "\"";
    log::write(log::Level::info, "policy published",
               {{"publisher", who}, {"version", v->payload.version}, {"org", v->payload.org}});
    if (m_on_publish) m_on_publish(*v);
  }
  return {200, json{{"version", v->payload.version}, {"org", v->payload.org}, {"unchanged", v->unchanged},
                    {"etag", m_etag}}};
}

}  // namespace gw::server
