#include "core/stages/model_access_stage.hpp"

#include "core/config/policy.hpp"
#include "core/stages/policy_denial.hpp"

namespace gw::stages {

namespace {
std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}
}  // namespace

std::string describe_access(const config::ModelAccess& access) {
  if (access.models.empty() || access.providers.empty()) return "no models";
  std::string out = join(access.models);
  if (!access.deny_models.empty()) out += " except " + join(access.deny_models);
  return out + " (providers: " + join(access.providers) + ")";
}

pipeline::StageStatus ModelAccessStage::on_request(pipeline::Exchange& ex) {
  const bool needs_model = ex.route.has_body || !ex.route.model_in_path.empty();
  if (!needs_model && ex.info.model.empty()) return pipeline::StageStatus::proceed;
  const config::VirtualKey* key = key_of(ex);
  if (!key) {
    ex.deny({refusal_status(*ex.provider),
             "gw: this request is not bound to a virtual key, so no model may be used. Start the "
             "agent through gw, e.g. `gw claude`."});
    ex.reason_code = "unbound";
    return pipeline::StageStatus::respond;
  }
  if (ex.info.model.empty()) {
    ex.deny({400, "gw: the request names no model (the 'model' field is missing or not a string)."});
    ex.reason_code = "no_model";
    return pipeline::StageStatus::respond;
  }
  std::string provider(ex.provider->id());
  if (config::model_allowed(key->access, provider, ex.info.model)) return pipeline::StageStatus::proceed;
  ex.deny({refusal_status(*ex.provider),
           "gw: model '" + ex.info.model + "' at " + provider + " is not allowed for key '" +
               key->id + "'. This key may use: " + describe_access(key->access) +
               ". Pick one of those (e.g. with --model) or ask your platform team."});
  ex.reason_code = "model";
  return pipeline::StageStatus::respond;
}

}  // namespace gw::stages
