#include "core/config/policy_summary.hpp"

namespace gw::config {

namespace {
std::string budget_text(const Budget& b) {
  return b.name + " " + format_usd(b.amount_nano_usd) + "/" + std::string(to_string(b.period)) +
         (b.window == Window::rolling ? " rolling" : "");
}
std::string budgets_text(const std::vector<Budget>& budgets) {
  std::string out;
  for (const auto& b : budgets) out += (out.empty() ? "" : ", ") + budget_text(b);
  return out.empty() ? "no budget" : out;
}
std::string limits_text(const RateLimits& l) {
  std::string out;
  auto add = [&](int64_t v, const char* unit) {
    if (v) out += (out.empty() ? "" : ", ") + std::to_string(v) + " " + unit;
  };
  add(l.requests_per_minute, "req/min");
  add(l.tokens_per_minute, "tok/min");
  add(l.concurrent, "concurrent");
  return out.empty() ? "no rate limit" : out;
}
}  // namespace

std::string summarize_policy(const Policy& p) {
  std::string out;
  out += "version: " + (p.version.empty() ? std::string("(none)") : p.version) + "\n";
  out += std::string("auth: ") +
         (p.enforce_auth ? "enforced (requests without a key are refused)"
                         : "not enforced (requests without a key run as 'anonymous')") + "\n";
  out += "launcher sessions: " + (p.local_key.empty() ? std::string("refused") : "key " + p.local_key) + "\n";
  out += "providers:";
  for (const auto& [id, pr] : p.providers) out += " " + id + "=" + pr.base_url;
  out += "\n";
  out += "org: " + budgets_text(p.org_budgets) + "; " + limits_text(p.org_limits) + "\n";
  for (const auto& [id, t] : p.teams)
    out += "team " + id + ": " + budgets_text(t.budgets) + "; " + limits_text(t.limits) + "\n";
  size_t enabled = 0;
  for (const auto& [id, k] : p.keys) enabled += k.enabled ? 1 : 0;
  out += "keys: " + std::to_string(p.keys.size()) + " (" + std::to_string(enabled) + " enabled)\n";
  for (const auto& [id, k] : p.keys) {
    out += "  " + id + (k.team.empty() ? "" : " [" + k.team + "]") + (k.enabled ? "" : " (disabled)") +
           ": " + budgets_text(k.budgets) + "; " + limits_text(k.limits) + "\n";
  }
  out += "prices: " + std::to_string(p.prices.entries().size()) + " models (shipped table of " +
         std::string(PriceTable::k_default_table_date) + " plus policy entries)\n";
  return out;
}

}  // namespace gw::config
