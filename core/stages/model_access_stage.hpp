#pragma once
// Model access: refuses a billable request whose model the caller's virtual key may not use
// (deny by default; the key's deny list wins), naming the model and what the key may use.
// Runs after auth (needs ex.identity) and before limits. Routes without a model (model lists,
// preconnect) pass; count_tokens is checked like a real call (it reveals nothing but costs
// nothing, and a consistent answer helps the developer).
#include "core/config/policy.hpp"
#include "core/pipeline/stage.hpp"

namespace gw::stages {

class ModelAccessStage final : public pipeline::Stage {
public:
  std::string_view name() const override { return "model_access"; }
  // Proceeds when allowed; else sets a refusal in the provider's shape (see policy_denial.hpp).
  pipeline::StageStatus on_request(pipeline::Exchange& ex) override;
};

// "claude-* except claude-opus-*" style summary of what `access` allows, for messages.
std::string describe_access(const config::ModelAccess& access);

}  // namespace gw::stages
