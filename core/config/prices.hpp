#pragma once
// Model prices and cost arithmetic. Rates are integer micro-USD per million tokens (so $3.00/M is
// 3'000'000 and $0.0375/M stays exact); costs are integer nano-USD, never floats.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::config {

struct ModelPrice {
  std::string pattern;   // exact model name, a name prefix, or a glob ('*', '?')
  std::string provider;  // provider id the price belongs to ("anthropic", ...), informative
  int64_t input = 0;     // micro-USD per million uncached input tokens
  int64_t output = 0;
  int64_t cache_read = 0;
  int64_t cache_write_5m = 0;
  int64_t cache_write_1h = 0;
  int64_t reasoning = 0;  // 0 = same as output
};

// Token counts of one request, normalised by the provider adapters:
//  - input_tokens: uncached input only (cache reads/writes are counted separately);
//  - output_tokens: all generated tokens, reasoning included;
//  - reasoning_tokens: the part of output_tokens that was reasoning/thinking.
struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cache_read_tokens = 0;
  int64_t cache_write_5m_tokens = 0;
  int64_t cache_write_1h_tokens = 0;
  int64_t reasoning_tokens = 0;
  int64_t total_tokens() const {
    return input_tokens + output_tokens + cache_read_tokens + cache_write_5m_tokens +
           cache_write_1h_tokens;
  }
};

// Cost of `usage` at `price` in nano-USD, rounded up.
int64_t cost_nano_usd(const ModelPrice& price, const Usage& usage);

class PriceTable {
public:
  // The date the shipped defaults were last checked against the providers' public price pages.
  static constexpr std::string_view k_default_table_date = "2025-12-01";
  // The shipped table for current Anthropic, OpenAI and Gemini models.
  static PriceTable defaults();

  // Adds or replaces the entry with the same pattern.
  void set(ModelPrice price);
  // Matching: exact name first; then the longest literal prefix followed by '-', '@' or ':'
  // (so "claude-sonnet-4-5" prices "claude-sonnet-4-5-20250929"); then the glob with the most
  // literal characters. A leading "models/" (Gemini paths) is ignored. nullptr: unpriced.
  const ModelPrice* find(std::string_view model) const;
  // True when some entry is exactly `model` or matches it as a glob/prefix.
  bool knows(std::string_view model) const { return find(model) != nullptr; }
  const std::vector<ModelPrice>& entries() const { return m_entries; }

private:
  std::vector<ModelPrice> m_entries;
};

// Micro-USD per million tokens from a USD amount (e.g. 3.75 -> 3'750'000), rounded to nearest.
int64_t usd_per_mtok(double usd);
// "$4.98" style formatting of nano-USD (two decimals, or more when below one cent).
std::string format_usd(int64_t nano_usd);

}  // namespace gw::config
