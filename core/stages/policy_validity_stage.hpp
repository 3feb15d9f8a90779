#pragma once
// Policy validity: a policy from a signed bundle is in force until the bundle's expiry plus its
// offline grace. After that, with the bundle's fail mode "closed" (the default), every request is
// refused with a message saying why and how to get a current policy; with "open" requests run on
// and the exchange is marked so the audit trail shows it. Runs first; policies that did not come
// from a bundle have no validity and pass.
#include "core/common/clock.hpp"
#include "core/pipeline/stage.hpp"

namespace gw::stages {

class PolicyValidityStage final : public pipeline::Stage {
public:
  explicit PolicyValidityStage(const Clock& clock) : m_clock(clock) {}
  std::string_view name() const override { return "policy_validity"; }
  pipeline::StageStatus on_request(pipeline::Exchange& ex) override;

private:
  const Clock& m_clock;
};

}  // namespace gw::stages
