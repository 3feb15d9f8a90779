#include "core/stages/usage_stage.hpp"

#include "core/pipeline/exchange.hpp"

namespace gw::stages {

pipeline::StageStatus UsageStage::on_request(pipeline::Exchange& ex) {
  ex.usage_tap = ex.provider->usage_tap(ex.route, ex.info.stream);
  return pipeline::StageStatus::proceed;
}

void UsageStage::on_response_event(pipeline::Exchange& ex, const http::SseEvent& ev) {
  if (ex.usage_tap) ex.usage_tap->on_event(ev);
}

void UsageStage::on_complete(pipeline::Exchange& ex) {
  if (ex.usage_tap) ex.usage = ex.usage_tap->usage();
}

}  // namespace gw::stages
