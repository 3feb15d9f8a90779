#include "core/stages/policy_validity_stage.hpp"

#include <ctime>

#include "core/config/policy.hpp"
#include "core/pipeline/exchange.hpp"
#include "core/stages/policy_denial.hpp"

namespace gw::stages {

namespace {
std::string iso(int64_t s) {
  time_t t = static_cast<time_t>(s);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}
}  // namespace

pipeline::StageStatus PolicyValidityStage::on_request(pipeline::Exchange& ex) {
  if (!ex.policy || !ex.policy->validity) return pipeline::StageStatus::proceed;
  const auto& v = *ex.policy->validity;
  if (m_clock.now_ms() / 1000 < v.valid_until_s) return pipeline::StageStatus::proceed;
  if (v.fail_open) {
    ex.reason = "policy out of date (" + v.origin + " ended " + iso(v.valid_until_s) + "); running fail-open";
    return pipeline::StageStatus::proceed;
  }
  ex.deny({refusal_status(*ex.provider),
           "gw: the signed policy in force (" + v.origin + ") is out of date: it expired and its offline grace ended at " +
               iso(v.valid_until_s) + ", and no newer policy has reached this machine. Reconnect to your company "
               "network or VPN so gw can fetch the current policy from the central gateway (or ask IT for a bundle "
               "and run `gw policy install BUNDLE`); `gw policy show` has the details."});
  return pipeline::StageStatus::respond;
}

}  // namespace gw::stages
