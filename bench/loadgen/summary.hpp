#pragma once
// Latency samples and their percentile summary as JSON (microseconds, one decimal).
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace gw::bench {

// Returns {"n", "mean", "p50", "p90", "p99", "p999", "max"} in microseconds for samples in
// nanoseconds, or {"n": 0} when there are none. Sorts `ns` in place.
nlohmann::json summarize_ns(std::vector<int64_t>& ns);

}  // namespace gw::bench
