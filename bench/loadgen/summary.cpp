#include "bench/loadgen/summary.hpp"

#include <algorithm>
#include <cmath>

namespace gw::bench {

namespace {

double us(double ns) { return std::round(ns / 100.0) / 10.0; }

// Nearest-rank percentile of sorted samples.
int64_t rank(const std::vector<int64_t>& sorted, double q) {
  size_t n = sorted.size();
  size_t idx = static_cast<size_t>(std::ceil(q * static_cast<double>(n)));
  if (idx > 0) --idx;
  return sorted[std::min(idx, n - 1)];
}

}  // namespace

nlohmann::json summarize_ns(std::vector<int64_t>& ns) {
  nlohmann::json j;
  j["n"] = ns.size();
  if (ns.empty()) return j;
  std::sort(ns.begin(), ns.end());
  double sum = 0;
  for (int64_t v : ns) sum += static_cast<double>(v);
  j["mean"] = us(sum / static_cast<double>(ns.size()));
  j["p50"] = us(static_cast<double>(rank(ns, 0.50)));
  j["p90"] = us(static_cast<double>(rank(ns, 0.90)));
  j["p99"] = us(static_cast<double>(rank(ns, 0.99)));
  j["p999"] = us(static_cast<double>(rank(ns, 0.999)));
  j["max"] = us(static_cast<double>(ns.back()));
  return j;
}

}  // namespace gw::bench
