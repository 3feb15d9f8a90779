#include "core/stages/policy_denial.hpp"

#include "core/config/policy.hpp"

namespace gw::stages {

int refusal_status(const providers::Provider& provider) {
  return provider.kind() == providers::ApiKind::gemini ? 403 : 400;
}

void deny_for_limit(pipeline::Exchange& ex, const limits::Denial& denial) {
  providers::ErrorSpec spec;
  spec.message = "gw: " + denial.message();
  if (denial.is_rate_limit()) {
    spec.status = 429;
    spec.retry_after_s = denial.retry_after_seconds();
  } else {
    spec.status = refusal_status(*ex.provider);
  }
  ex.deny(spec);
  ex.reason_code = denial.reason();
}

const config::VirtualKey* key_of(const pipeline::Exchange& ex) {
  if (!ex.policy) return nullptr;
  if (ex.identity.kind == pipeline::Identity::Kind::anonymous)
    return ex.policy->anonymous ? &*ex.policy->anonymous : nullptr;
  if (ex.identity.key_id.empty()) return nullptr;
  return ex.policy->find_key(ex.identity.key_id);
}

}  // namespace gw::stages
