#include "core/stages/forward_stage.hpp"

#include "core/common/clock.hpp"
#include "core/pipeline/exchange.hpp"
#include "core/stages/auth_stage.hpp"

namespace gw::stages {

using pipeline::StageStatus;

const config::ProviderConfig* provider_config_for(const config::Policy& policy, providers::ApiKind kind) {
  std::string_view api = providers::api_kind_name(kind);
  const auto& configs = policy.providers;
  if (auto it = configs.find(std::string(api)); it != configs.end()) return &it->second;
  for (const auto& [id, config] : configs)
    if (config::to_string(config.kind) == api) return &config;
  return nullptr;
}

ForwardStage::ForwardStage(const Services& services, std::shared_ptr<const config::Policy> policy)
    : m_services(services), m_policy(std::move(policy)) {
  for (auto kind : {providers::ApiKind::anthropic, providers::ApiKind::openai, providers::ApiKind::gemini}) {
    Target& t = m_targets[static_cast<size_t>(kind)];
    t.config = provider_config_for(*m_policy, kind);
    if (!t.config) continue;
    if (auto origin = http::parse_origin(t.config->base_url)) t.origin = *origin;
    else t.origin_error = origin.error().message;
  }
}

StageStatus ForwardStage::on_request(pipeline::Exchange& ex) {
  const Target& target = m_targets[static_cast<size_t>(ex.provider->kind())];
  const config::ProviderConfig* pc = target.config;
  if (!pc) {
    ex.deny({400, "gw: policy configures no " + std::string(ex.provider->id()) +
                      " provider, so this request cannot be forwarded. Ask your platform team."},
            pipeline::Outcome::gateway_error);
    return StageStatus::respond;
  }
  if (!target.origin) {
    ex.deny({500, "gw: provider " + pc->id + " has a bad base_url: " + target.origin_error},
            pipeline::Outcome::gateway_error);
    return StageStatus::respond;
  }
  const http::Origin& origin = *target.origin;

  http::Request& req = ex.request;
  req.headers.remove(k_session_header);
  if (ex.identity.kind != pipeline::Identity::Kind::passthrough) {
    auto key = m_services.credentials.key_for(*pc);
    if (!key) {
      ex.deny({400, "gw: " + key.error().message}, pipeline::Outcome::gateway_error);
      return StageStatus::respond;
    }
    ex.provider->strip_credentials(req);
    ex.provider->set_credential(req, *key);
  }
  // Usage is read from the bytes as they pass, so ask for them unencoded.
  req.headers.set("Accept-Encoding", "identity");

  ex.t.upstream_start_ns = mono_ns();
  auto resp = m_services.upstream.send(origin, req);
  if (!resp) {
    ex.deny({502, "gw could not reach the upstream " + origin.display() + ": " + resp.error().message +
                      ". Check the network or the provider's base_url in policy."},
            pipeline::Outcome::upstream_error);
    return StageStatus::respond;
  }
  ex.t.upstream_head_ns = mono_ns();
  ex.upstream = std::move(*resp);
  ex.status = ex.upstream->status;
  return StageStatus::proceed;
}

}  // namespace gw::stages
