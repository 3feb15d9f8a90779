#pragma once
// Sends the request to the provider: swaps credentials (the agent's token never leaves; the real
// key goes in), asks for an unencoded response so usage can be tapped, and reads the upstream
// response head into ex.upstream. The listener then relays the body. Upstream failures become
// 502 naming the upstream; a missing provider key a 400 saying how to supply it.
#include "core/pipeline/stage.hpp"
#include "core/stages/services.hpp"

namespace gw::stages {

class ForwardStage final : public pipeline::Stage {
public:
  explicit ForwardStage(const Services& services) : m_services(services) {}
  std::string_view name() const override { return "forward"; }
  pipeline::StageStatus on_request(pipeline::Exchange& ex) override;

private:
  const Services& m_services;
};

// The provider config serving this exchange's API: the one whose id equals the provider id, else
// the first of the same API kind; nullptr when policy has none.
const config::ProviderConfig* provider_config(const pipeline::Exchange& ex);

}  // namespace gw::stages
