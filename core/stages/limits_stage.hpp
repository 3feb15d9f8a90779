#pragma once
// Budgets and rate limits. on_request reserves the worst plausible cost of a billable request
// (input estimated from the body size, output up to the request's cap or the policy's) at the
// key, its team and the org, or refuses it (budgets: a refusal; rate limits: 429 + retry-after).
// on_complete settles with the usage the provider reported (stream or JSON; a cut stream with
// what was seen) and releases the rest; it sets ex.cost_nano_usd. count_tokens and model lists
// are not billed. Runs after model access and before forward.
#include "core/limits/admission.hpp"
#include "core/limits/usage_log.hpp"
#include "core/pipeline/stage.hpp"

namespace gw::stages {

class LimitsStage final : public pipeline::Stage {
public:
  // `admission` outlives every pipeline (it holds the counters across policy reloads).
  // `usage_log`, when given, receives one record per charged request (for `gw usage`).
  explicit LimitsStage(limits::Admission& admission, limits::UsageLog* usage_log = nullptr)
      : m_admission(admission), m_usage_log(usage_log) {}
  std::string_view name() const override { return "limits"; }
  pipeline::StageStatus on_request(pipeline::Exchange& ex) override;
  void on_complete(pipeline::Exchange& ex) override;

private:
  limits::Admission& m_admission;
  limits::UsageLog* m_usage_log;
};

}  // namespace gw::stages
