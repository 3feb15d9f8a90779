#include "core/pipeline/pipeline.hpp"

namespace gw::pipeline {

Pipeline::Pipeline(std::vector<std::unique_ptr<Stage>> stages) : m_stages(std::move(stages)) {}

StageStatus Pipeline::run(Exchange& ex) const {
  ex.stages_ran = 0;
  for (size_t i = 0; i < m_stages.size(); ++i) {
    ex.stages_ran = i + 1;
    if (m_stages[i]->on_request(ex) == StageStatus::respond) return StageStatus::respond;
  }
  return StageStatus::proceed;
}

void Pipeline::on_event(Exchange& ex, const http::SseEvent& ev) const {
  size_t ran = ex.stages_ran;
  for (size_t i = 0; i < ran; ++i) m_stages[i]->on_response_event(ex, ev);
}

void Pipeline::complete(Exchange& ex) const {
  for (size_t i = ex.stages_ran; i-- > 0;) m_stages[i]->on_complete(ex);
}

}  // namespace gw::pipeline
