#include "core/stages/stage_list.hpp"

#include "core/stages/audit_stage.hpp"
#include "core/stages/auth_stage.hpp"
#include "core/stages/forward_stage.hpp"
#include "core/stages/limits_stage.hpp"
#include "core/stages/model_access_stage.hpp"
#include "core/stages/policy_validity_stage.hpp"
#include "core/stages/scan_stage.hpp"
#include "core/stages/usage_stage.hpp"

namespace gw::stages {

std::shared_ptr<const pipeline::Pipeline> build_pipeline(const Services& services,
                                                         const std::shared_ptr<const config::Policy>& policy) {
  std::vector<std::unique_ptr<pipeline::Stage>> stages;
  // Audit: one recorder, two stages. The outcome stage runs first so that its on_complete runs
  // last and sees every request (denied ones too); the admit stage commits the durable admitted
  // record after every admission stage decided, right before forward.
  std::shared_ptr<AuditRecorder> audit;
  if (policy->audit.enabled) audit = AuditRecorder::create(policy->audit, services.audit_spool, key_origins(services, *policy));
  if (audit) stages.push_back(std::make_unique<AuditOutcomeStage>(audit));  // records how each request ended
  stages.push_back(std::make_unique<PolicyValidityStage>(services.clock));  // signed policy still current
  stages.push_back(std::make_unique<AuthStage>(services));      // who is calling
  stages.push_back(std::make_unique<ModelAccessStage>());        // which providers and models
  stages.push_back(std::make_unique<LimitsStage>(services.admission, services.usage_log));  // budgets, rate limits
  stages.push_back(std::make_unique<ScanStage>(services.guardrails));  // secrets and PII ([guardrails])
  if (audit) stages.push_back(std::make_unique<AuditAdmitStage>(audit));  // durable admitted record
  stages.push_back(std::make_unique<ForwardStage>(services, policy));   // to the provider
  stages.push_back(std::make_unique<UsageStage>(services));     // tokens from the response
  return std::make_shared<const pipeline::Pipeline>(std::move(stages));
}

}  // namespace gw::stages
