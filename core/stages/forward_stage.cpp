#include "core/stages/forward_stage.hpp"

#include "core/common/clock.hpp"
#include "core/pipeline/exchange.hpp"
#include "core/stages/auth_stage.hpp"

namespace gw::stages {

using pipeline::StageStatus;

const config::ProviderConfig* provider_config(const pipeline::Exchange& ex) {
  const auto& providers = ex.policy->providers;
  if (auto it = providers.find(std::string(ex.provider->id())); it != providers.end()) return &it->second;
  for (const auto& [id, p] : providers)
    if (config::to_string(p.kind) == providers::api_kind_name(ex.provider->kind())) return &p;
  return nullptr;
}

StageStatus ForwardStage::on_request(pipeline::Exchange& ex) {
  const config::ProviderConfig* pc = provider_config(ex);
  if (!pc) {
    ex.deny({400, "gw: policy configures no " + std::string(ex.provider->id()) +
                      " provider, so this request cannot be forwarded. Ask your platform team."},
            pipeline::Outcome::gateway_error);
    return StageStatus::respond;
  }
  auto origin = http::parse_origin(pc->base_url);
  if (!origin) {
    ex.deny({500, "gw: provider " + pc->id + " has a bad base_url: " + origin.error().message},
            pipeline::Outcome::gateway_error);
    return StageStatus::respond;
  }

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
  auto resp = m_services.upstream.send(*origin, req);
  if (!resp) {
    ex.deny({502, "gw could not reach the upstream " + origin->display() + ": " + resp.error().message +
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
