#include "core/config/prices.hpp"

#include <cmath>
#include <cstdio>

#include "core/config/policy.hpp"

namespace gw::config {

int64_t usd_per_mtok(double usd) { return static_cast<int64_t>(std::llround(usd * 1'000'000.0)); }

int64_t cost_nano_usd(const ModelPrice& p, const Usage& u) {
  // micro-USD per million tokens * tokens = 1e-12 USD units; divide by 1000 for nano-USD.
  int64_t reasoning_rate = p.reasoning ? p.reasoning : p.output;
  int64_t reasoning = std::min(u.reasoning_tokens, u.output_tokens);
  __int128 pico = static_cast<__int128>(u.input_tokens) * p.input +
                  static_cast<__int128>(u.output_tokens - reasoning) * p.output +
                  static_cast<__int128>(reasoning) * reasoning_rate +
                  static_cast<__int128>(u.cache_read_tokens) * p.cache_read +
                  static_cast<__int128>(u.cache_write_5m_tokens) * p.cache_write_5m +
                  static_cast<__int128>(u.cache_write_1h_tokens) * p.cache_write_1h;
  if (pico <= 0) return 0;
  return static_cast<int64_t>((pico + 999) / 1000);
}

std::string format_usd(int64_t nano) {
  char buf[64];
  bool neg = nano < 0;
  double usd = static_cast<double>(neg ? -nano : nano) / static_cast<double>(k_nano_per_usd);
  if (usd != 0 && usd < 0.01)
    std::snprintf(buf, sizeof buf, "%s$%.4f", neg ? "-" : "", usd);
  else
    std::snprintf(buf, sizeof buf, "%s$%.2f", neg ? "-" : "", usd);
  return buf;
}

void PriceTable::set(ModelPrice price) {
  for (auto& e : m_entries) {
    if (e.pattern == price.pattern) {
      e = std::move(price);
      return;
    }
  }
  m_entries.push_back(std::move(price));
}

namespace {
bool is_glob(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }
size_t literal_chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (c != '*' && c != '?');
  return n;
}
}  // namespace

const ModelPrice* PriceTable::find(std::string_view model) const {
  if (model.starts_with("models/")) model.remove_prefix(7);
  for (const auto& e : m_entries)
    if (e.pattern == model) return &e;
  const ModelPrice* best = nullptr;
  size_t best_len = 0;
  for (const auto& e : m_entries) {
    if (is_glob(e.pattern) || e.pattern.size() >= model.size()) continue;
    if (!model.starts_with(e.pattern)) continue;
    char next = model[e.pattern.size()];
    if (next != '-' && next != '@' && next != ':') continue;
    if (e.pattern.size() > best_len) best = &e, best_len = e.pattern.size();
  }
  if (best) return best;
  for (const auto& e : m_entries) {
    if (!is_glob(e.pattern) || !glob_match(e.pattern, model)) continue;
    size_t n = literal_chars(e.pattern);
    if (!best || n > best_len) best = &e, best_len = n;
  }
  return best;
}

namespace {
ModelPrice price(const char* pattern, const char* provider, double in, double out, double cr,
                 double cw5, double cw1h) {
  return ModelPrice{pattern,           provider,           usd_per_mtok(in),
                    usd_per_mtok(out), usd_per_mtok(cr),   usd_per_mtok(cw5),
                    usd_per_mtok(cw1h), 0};
}
}  // namespace

// Public list prices in USD per million tokens, standard tier, prompts up to 200k tokens,
// as published by Anthropic, OpenAI and Google (checked on k_default_table_date). Providers
// without a separate cache-write price charge the input rate for it (OpenAI, Gemini: 0 extra
// here because they do not bill cache writes). Family globs ("claude-opus-*") price models
// newer than this table at the latest known price of the family; override them in policy.
PriceTable PriceTable::defaults() {
  PriceTable t;
  const char* a = "anthropic";
  t.set(price("claude-opus-4-5", a, 5, 25, 0.50, 6.25, 10));
  t.set(price("claude-opus-4-1", a, 15, 75, 1.50, 18.75, 30));
  t.set(price("claude-opus-4-0", a, 15, 75, 1.50, 18.75, 30));
  t.set(price("claude-opus-4-20250514", a, 15, 75, 1.50, 18.75, 30));
  t.set(price("claude-sonnet-4-5", a, 3, 15, 0.30, 3.75, 6));
  t.set(price("claude-sonnet-4-0", a, 3, 15, 0.30, 3.75, 6));
  t.set(price("claude-sonnet-4-20250514", a, 3, 15, 0.30, 3.75, 6));
  t.set(price("claude-3-7-sonnet", a, 3, 15, 0.30, 3.75, 6));
  t.set(price("claude-haiku-4-5", a, 1, 5, 0.10, 1.25, 2));
  t.set(price("claude-3-5-haiku", a, 0.80, 4, 0.08, 1, 1.6));
  t.set(price("claude-opus-*", a, 5, 25, 0.50, 6.25, 10));
  t.set(price("claude-sonnet-*", a, 3, 15, 0.30, 3.75, 6));
  t.set(price("claude-haiku-*", a, 1, 5, 0.10, 1.25, 2));

  const char* o = "openai";
  t.set(price("gpt-5", o, 1.25, 10, 0.125, 0, 0));
  t.set(price("gpt-5-codex", o, 1.25, 10, 0.125, 0, 0));
  t.set(price("gpt-5-mini", o, 0.25, 2, 0.025, 0, 0));
  t.set(price("gpt-5-nano", o, 0.05, 0.40, 0.005, 0, 0));
  t.set(price("gpt-5-pro", o, 15, 120, 0, 0, 0));
  t.set(price("gpt-5.1", o, 1.25, 10, 0.125, 0, 0));
  t.set(price("gpt-5.1-codex", o, 1.25, 10, 0.125, 0, 0));
  t.set(price("gpt-5.1-codex-max", o, 1.25, 10, 0.125, 0, 0));
  t.set(price("gpt-5.1-codex-mini", o, 0.25, 2, 0.025, 0, 0));
  t.set(price("gpt-4.1", o, 2, 8, 0.50, 0, 0));
  t.set(price("gpt-4.1-mini", o, 0.40, 1.60, 0.10, 0, 0));
  t.set(price("gpt-4o", o, 2.50, 10, 1.25, 0, 0));
  t.set(price("gpt-4o-mini", o, 0.15, 0.60, 0.075, 0, 0));
  t.set(price("o3", o, 2, 8, 0.50, 0, 0));
  t.set(price("o4-mini", o, 1.10, 4.40, 0.275, 0, 0));
  t.set(price("gpt-*-mini", o, 0.25, 2, 0.025, 0, 0));
  t.set(price("gpt-*-nano", o, 0.05, 0.40, 0.005, 0, 0));
  t.set(price("gpt-*", o, 1.25, 10, 0.125, 0, 0));

  const char* g = "gemini";
  t.set(price("gemini-3-pro-preview", g, 2, 12, 0.20, 0, 0));
  t.set(price("gemini-3-flash-preview", g, 0.50, 3, 0.05, 0, 0));
  t.set(price("gemini-2.5-pro", g, 1.25, 10, 0.125, 0, 0));
  t.set(price("gemini-2.5-flash", g, 0.30, 2.50, 0.03, 0, 0));
  t.set(price("gemini-2.5-flash-lite", g, 0.10, 0.40, 0.01, 0, 0));
  t.set(price("gemini-2.0-flash", g, 0.10, 0.40, 0.025, 0, 0));
  t.set(price("gemini-2.0-flash-lite", g, 0.075, 0.30, 0, 0, 0));
  t.set(price("gemini-*-pro*", g, 2, 12, 0.20, 0, 0));
  t.set(price("gemini-*-flash-lite*", g, 0.10, 0.40, 0.01, 0, 0));
  t.set(price("gemini-*-flash*", g, 0.50, 3, 0.05, 0, 0));
  return t;
}

}  // namespace gw::config
