#pragma once
// Shared by the limits tests: a policy built from TOML and an Admission over a fake clock.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "core/common/clock.hpp"
#include "core/config/policy.hpp"
#include "core/limits/admission.hpp"
#include "core/limits/estimate.hpp"

namespace gw::test {

inline std::shared_ptr<const config::Policy> policy_from(const std::string& toml) {
  auto r = config::parse_policy(toml, "test.toml");
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  return *r;
}

// 2026-11-24T19:34:15Z.
inline constexpr int64_t k_t0 = 1795548855000;

inline limits::AdmissionRequest request_for(const config::Policy& p, const std::string& key,
                                            const std::string& model, int64_t in, int64_t out) {
  limits::AdmissionRequest r;
  r.policy = &p;
  r.key = p.find_key(key);
  r.model = model;
  r.input_tokens = in;
  r.max_output_tokens = out;
  return r;
}

}  // namespace gw::test
