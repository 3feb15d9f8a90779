#pragma once
// Turns the JSON lines written by `gw_loadgen run --tag ...` and `gw_loadgen note` during one
// bench/run into the results table (Markdown), gnuplot data files and a short text summary.
//
// Records it understands (by their tags):
//   run:  target=direct|nginx|gw|ccr, workload=small|large|stream|max, plus the run's own fields
//   note: kind=meta (any fields, shown as the run description), kind=rss (target, peak_kb,
//         idle_start_kb, idle_end_kb), kind=skip (target, workload, rate, reason)
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/result.hpp"

namespace gw::bench {

struct ReportPaths {
  std::string in;       // JSON lines
  std::string md;       // Markdown table to write
  std::string dat_dir;  // gnuplot data files: added_<workload>.dat, stream.dat, rss.dat
};

// Writes the files and returns the text summary for stdout.
Result<std::string> write_report(const ReportPaths& p);

// Sets j[k] from "k=v": a number when v parses as one completely, else a string. False when the
// tag has no '='.
bool apply_tag(nlohmann::json& j, const std::string& tag);

// The run did not keep up: under 90% of the scheduled requests completed, more than 1% failed,
// or the median latency passed 100 ms. bench/run stops raising the rate for that target.
bool is_overloaded(const nlohmann::json& run);

}  // namespace gw::bench
