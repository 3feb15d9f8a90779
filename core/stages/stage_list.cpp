#include "core/stages/stage_list.hpp"

#include "core/stages/auth_stage.hpp"
#include "core/stages/forward_stage.hpp"
#include "core/stages/limits_stage.hpp"
#include "core/stages/model_access_stage.hpp"
#include "core/stages/scan_stage.hpp"
#include "core/stages/usage_stage.hpp"

namespace gw::stages {

std::shared_ptr<const pipeline::Pipeline> build_pipeline(const Services& services,
                                                         const std::shared_ptr<const config::Policy>& policy) {
  std::vector<std::unique_ptr<pipeline::Stage>> stages;
  stages.push_back(std::make_unique<AuthStage>(services));      // who is calling
  stages.push_back(std::make_unique<ModelAccessStage>());        // which providers and models
  stages.push_back(std::make_unique<LimitsStage>(services.admission, services.usage_log));  // budgets, rate limits
  stages.push_back(std::make_unique<ScanStage>(services.guardrails));  // secrets and PII ([guardrails])
  stages.push_back(std::make_unique<ForwardStage>(services, policy));   // to the provider
  stages.push_back(std::make_unique<UsageStage>(services));     // tokens from the response
  return std::make_shared<const pipeline::Pipeline>(std::move(stages));
}

}  // namespace gw::stages
