#pragma once
// Who is calling. Accepts, in order: a gw session token minted by the launcher (bound to the
// policy's local key), a virtual key secret from the policy, the developer's own provider login
// when the provider allows passthrough and a valid session rides in x-gw-session, and finally
// the anonymous key when enforce_auth is off. Everything else gets 401 in the provider's shape,
// except a known key that policy disabled or that expired: the refusal status (not retried).
#include "core/pipeline/stage.hpp"
#include "core/stages/services.hpp"

namespace gw::stages {

inline constexpr std::string_view k_session_prefix = "gws_";
inline constexpr std::string_view k_session_header = "x-gw-session";

class AuthStage final : public pipeline::Stage {
public:
  explicit AuthStage(const Services& services) : m_services(services) {}
  std::string_view name() const override { return "auth"; }
  pipeline::StageStatus on_request(pipeline::Exchange& ex) override;

private:
  pipeline::StageStatus bind_key(pipeline::Exchange& ex, const config::VirtualKey& key);
  const Services& m_services;
};

}  // namespace gw::stages
