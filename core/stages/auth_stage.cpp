#include "core/stages/auth_stage.hpp"

#include "core/pipeline/exchange.hpp"
#include "core/stages/policy_denial.hpp"

namespace gw::stages {

using pipeline::Identity;
using pipeline::StageStatus;

static StageStatus refuse(pipeline::Exchange& ex, std::string message) {
  ex.deny({401, std::move(message)});
  ex.reason_code = "auth";
  return StageStatus::respond;
}

// A key the policy disabled or let expire is a policy decision, not a failed login: it gets the
// non-retried refusal status (Claude Code retries 401 up to 10 times and Codex 5 times).
static StageStatus refuse_key(pipeline::Exchange& ex, std::string message) {
  ex.deny({refusal_status(*ex.provider), std::move(message)});
  ex.reason_code = "auth";
  return StageStatus::respond;
}

StageStatus AuthStage::bind_key(pipeline::Exchange& ex, const config::VirtualKey& key) {
  // A central key the central gateway revoked or disabled (ADR 0049): its own message says who,
  // when and what to do. Identity is still bound so the refusal is audited under the key.
  if (!key.refusal.empty()) {
    ex.identity.key_id = key.id;
    ex.identity.user = key.owner;
    ex.identity.team = key.team;
    return refuse_key(ex, key.refusal);
  }
  if (!key.enabled)
    return refuse_key(ex, "gw: virtual key '" + key.id + "' is disabled by policy. Ask your platform team to re-enable it.");
  if (key.expires_at_ms && m_services.clock.now_ms() >= *key.expires_at_ms)
    return refuse_key(ex, "gw: virtual key '" + key.id + "' has expired. Ask your platform team for a new key.");
  ex.identity.key_id = key.id;
  ex.identity.user = key.owner;
  ex.identity.team = key.team;
  return StageStatus::proceed;
}

StageStatus AuthStage::on_request(pipeline::Exchange& ex) {
  const config::Policy& policy = *ex.policy;
  auto side_session = ex.request.headers.get(k_session_header);
  std::optional<std::string> presented = ex.provider->presented_credential(ex.request);
  std::optional<std::string> session_token;
  if (side_session) session_token = std::string(*side_session);
  else if (presented && presented->starts_with(k_session_prefix)) session_token = presented;

  if (session_token) {
    auto s = m_services.sessions.verify(*session_token);
    if (!s)
      return refuse(ex, "gw: the session token is unknown or expired (the gw sidecar may have restarted). "
                        "Restart the agent through gw, e.g. `gw claude`.");
    const config::VirtualKey* key = policy.local_key.empty() ? nullptr : policy.find_key(policy.local_key);
    if (!key)
      return refuse(ex, "gw: policy does not allow local launcher sessions (no [local] key). "
                        "Ask your platform team for a virtual key.");
    ex.identity.kind = Identity::Kind::session;
    ex.identity.session_id = s->session_id;
    if (bind_key(ex, *key) == StageStatus::respond) return StageStatus::respond;
    // A session in x-gw-session plus another credential: the developer's own login, forwarded
    // only where the provider allows passthrough.
    if (side_session && presented && !presented->starts_with(k_session_prefix)) {
      auto it = policy.providers.find(std::string(ex.provider->id()));
      if (it == policy.providers.end() || !it->second.allow_passthrough)
        return refuse(ex, "gw: policy does not allow your own " + std::string(ex.provider->id()) +
                              " login to be used; remove it and let gw supply the key.");
      ex.identity.kind = Identity::Kind::passthrough;
    }
    return StageStatus::proceed;
  }
  if (presented) {
    const config::VirtualKey* key = policy.find_by_secret(*presented);
    if (!key) return refuse(ex, "gw: unknown or revoked key. Start the agent with `gw claude`, `gw codex` or `gw gemini`.");
    ex.identity.kind = Identity::Kind::virtual_key;
    return bind_key(ex, *key);
  }
  if (!policy.enforce_auth && policy.anonymous) {
    ex.identity.kind = Identity::Kind::anonymous;
    return bind_key(ex, *policy.anonymous);
  }
  return refuse(ex, "gw: this request carries no credential. Start the agent through gw, e.g. `gw claude`.");
}

}  // namespace gw::stages
