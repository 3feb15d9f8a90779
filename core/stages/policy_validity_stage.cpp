#include "core/stages/policy_validity_stage.hpp"

#include "core/common/time_format.hpp"
#include "core/config/policy.hpp"
#include "core/pipeline/exchange.hpp"
#include "core/stages/policy_denial.hpp"

namespace gw::stages {

namespace {
constexpr const char* k_time = "%Y-%m-%d %H:%M UTC";
}  // namespace

pipeline::StageStatus PolicyValidityStage::on_request(pipeline::Exchange& ex) {
  if (!ex.policy || !ex.policy->validity) return pipeline::StageStatus::proceed;
  const auto& v = *ex.policy->validity;
  if (m_clock.now_ms() / 1000 < v.valid_until_s) return pipeline::StageStatus::proceed;
  if (v.fail_open) {
    ex.reason = "policy out of date (" + v.origin + " ended " + utc_time(v.valid_until_s, k_time) + "); running fail-open";
    return pipeline::StageStatus::proceed;
  }
  ex.deny({refusal_status(*ex.provider),
           "gw: the signed policy in force (" + v.origin + ") is out of date: it expired and its offline grace ended at " +
               utc_time(v.valid_until_s, k_time) + ", and no newer policy has reached this machine. Reconnect to your company "
               "network or VPN so gw can fetch the current policy from the central gateway (or ask IT for a bundle "
               "and run `gw policy install BUNDLE`); `gw policy show` has the details."});
  return pipeline::StageStatus::respond;
}

}  // namespace gw::stages
