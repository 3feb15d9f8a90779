#pragma once
// Sends the request to the provider: swaps credentials (the agent's token never leaves; the real
// key goes in), asks for an unencoded response so usage can be tapped, and reads the upstream
// response head into ex.upstream. The listener then relays the body. Upstream failures become
// 502 naming the upstream; a missing provider key a 400 saying how to supply it.
#include <array>
#include <memory>
#include <optional>

#include "core/pipeline/stage.hpp"
#include "core/stages/services.hpp"

namespace gw::stages {

// The provider config that serves `kind` under `policy`: the one whose id is the API's name, else
// the first of that API kind; nullptr when policy configures none.
const config::ProviderConfig* provider_config_for(const config::Policy& policy, providers::ApiKind kind);

class ForwardStage final : public pipeline::Stage {
public:
  // Resolves, once per policy, which provider config serves each API and parses its base URL.
  ForwardStage(const Services& services, std::shared_ptr<const config::Policy> policy);
  std::string_view name() const override { return "forward"; }
  pipeline::StageStatus on_request(pipeline::Exchange& ex) override;

private:
  // Where one API's requests go under this policy.
  struct Target {
    const config::ProviderConfig* config = nullptr;  // nullptr: policy configures none
    std::optional<http::Origin> origin;               // nullopt: bad base_url (origin_error says why)
    std::string origin_error;
  };
  const Services& m_services;
  std::shared_ptr<const config::Policy> m_policy;  // keeps Target::config valid
  std::array<Target, 3> m_targets;                 // indexed by providers::ApiKind
};

}  // namespace gw::stages
