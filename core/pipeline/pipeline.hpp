#pragma once
// Runs the ordered stages over an Exchange. Immutable after construction and shared by all
// requests that started under the same policy; a policy reload builds a new Pipeline.
#include <memory>
#include <vector>

#include "core/pipeline/exchange.hpp"
#include "core/pipeline/stage.hpp"

namespace gw::pipeline {

class Pipeline {
public:
  explicit Pipeline(std::vector<std::unique_ptr<Stage>> stages);
  // Runs on_request of each stage in order until one responds. Records ex.stages_ran.
  StageStatus run(Exchange& ex) const;
  // Passes one SSE event of the upstream response to every stage that ran.
  void on_event(Exchange& ex, const http::SseEvent& ev) const;
  // Runs on_complete, in reverse order, for every stage whose on_request ran. Call exactly once.
  void complete(Exchange& ex) const;
  size_t size() const { return m_stages.size(); }
  const Stage& stage(size_t i) const { return *m_stages[i]; }

private:
  std::vector<std::unique_ptr<Stage>> m_stages;
};


}  // namespace gw::pipeline
