#include "core/stages/limits_stage.hpp"

#include <memory>

#include "core/config/policy.hpp"
#include "core/limits/estimate.hpp"
#include "core/stages/policy_denial.hpp"

namespace gw::stages {

namespace {
struct Held {
  std::shared_ptr<limits::Reservation> reservation;  // shared_ptr: Exchange state must be copyable
  int64_t input_estimate = 0;
  int64_t admitted_ms = 0;
};
}  // namespace

pipeline::StageStatus LimitsStage::on_request(pipeline::Exchange& ex) {
  if (!ex.route.billable) return pipeline::StageStatus::proceed;
  const config::VirtualKey* key = key_of(ex);
  if (!key) return pipeline::StageStatus::proceed;  // model access already refused unbound calls
  const auto& rp = ex.policy->reservation;
  limits::AdmissionRequest req;
  req.policy = ex.policy.get();
  req.key = key;
  req.model = ex.info.model;
  req.input_tokens = limits::estimate_input_tokens(static_cast<int64_t>(ex.request.body.size()), rp);
  req.max_output_tokens = limits::reserve_output_tokens(ex.info.max_output_tokens, rp);
  auto admitted = m_admission.admit(req);
  if (!admitted) {
    deny_for_limit(ex, admitted.error(), m_admission.clock().now_ms());
    return pipeline::StageStatus::respond;
  }
  Held& held = ex.state_of<Held>(this);
  held.reservation = std::make_shared<limits::Reservation>(std::move(*admitted));
  held.input_estimate = req.input_tokens;
  held.admitted_ms = m_admission.clock().now_ms();
  return pipeline::StageStatus::proceed;
}

void LimitsStage::on_complete(pipeline::Exchange& ex) {
  Held& held = ex.state_of<Held>(this);
  if (!held.reservation || !held.reservation->active()) return;
  const auto& u = ex.usage;
  const bool reached_upstream = ex.t.upstream_start_ns != 0 || ex.upstream != nullptr;
  config::Usage usage;
  if (u.reported) {
    usage.input_tokens = u.input;
    usage.output_tokens = u.output;
    usage.cache_read_tokens = u.cache_read;
    usage.cache_write_5m_tokens = u.cache_write_5m;
    usage.cache_write_1h_tokens = u.cache_write_1h;
    usage.reasoning_tokens = u.reasoning;
  } else if (reached_upstream && ex.outcome != pipeline::Outcome::upstream_error &&
             ex.outcome != pipeline::Outcome::gateway_error) {
    // The provider may have billed a request whose usage we never saw (cut before the usage
    // event): charge the input estimate and the output relayed so far (~4 bytes per token).
    usage.input_tokens = held.input_estimate;
    usage.output_tokens = ex.bytes_out / 4;
  } else {
    held.reservation->release();  // refused later in the chain, or the provider answered an error
    return;
  }
  ex.cost_nano_usd = held.reservation->settle(usage);
  if (m_usage_log) {
    limits::UsageRow row;
    row.key = ex.identity.key_id;
    row.team = ex.identity.team;
    row.provider = std::string(ex.provider->id());
    row.model = ex.info.model;
    row.agent = ex.agent;
    row.usage = usage;
    row.cost_nano_usd = ex.cost_nano_usd;
    row.ts_ms = held.admitted_ms;
    (void)m_usage_log->record(row);  // a lost usage record does not change what was charged
  }
}

}  // namespace gw::stages
