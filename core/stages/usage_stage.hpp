#pragma once
// Token accounting: taps the response (SSE events or the JSON body) through the provider's
// UsageTap and, when the exchange ends, settles ex.usage and hands the exchange to the sink
// (status counters, the per-request log line). Runs after forward.
#include "core/pipeline/stage.hpp"
#include "core/stages/services.hpp"

namespace gw::stages {

class UsageStage final : public pipeline::Stage {
public:
  explicit UsageStage(const Services& services) : m_services(services) {}
  std::string_view name() const override { return "usage"; }
  pipeline::StageStatus on_request(pipeline::Exchange& ex) override;
  void on_response_event(pipeline::Exchange& ex, const http::SseEvent& ev) override;
  void on_complete(pipeline::Exchange& ex) override;

private:
  const Services& m_services;
};

}  // namespace gw::stages
