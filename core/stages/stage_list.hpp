#pragma once
// The order of the stages, written out in one place (stage_list.cpp).
#include <memory>

#include "core/pipeline/pipeline.hpp"
#include "core/stages/services.hpp"

namespace gw::stages {

// Builds the pipeline for one policy. Stage configs derived from the policy are built here, once.
std::shared_ptr<const pipeline::Pipeline> build_pipeline(const Services& services,
                                                         const std::shared_ptr<const config::Policy>& policy);

}  // namespace gw::stages
