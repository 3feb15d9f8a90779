// gw status: the sidecar, its uptime, requests and tokens per agent, and per virtual key the
// spend against each budget (with a bar and the time to reset) and the rate-limit headroom.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "agent/control_client.hpp"
#include "cli/commands/cli_util.hpp"
#include "cli/commands/commands.hpp"
#include "core/config/prices.hpp"
#include "cli/commands/colour.hpp"
#include "cli/commands/store_notice.hpp"

namespace gw::cli {

namespace {

using nlohmann::json;

std::string human_duration(int64_t s) {
  char buf[64];
  if (s < 0) s = 0;
  if (s < 60) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm %llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  else if (s < 86400 * 2) std::snprintf(buf, sizeof buf, "%lldh %lldm", static_cast<long long>(s / 3600), static_cast<long long>((s % 3600) / 60));
  else std::snprintf(buf, sizeof buf, "%lldd %lldh", static_cast<long long>(s / 86400), static_cast<long long>((s % 86400) / 3600));
  return buf;
}

int64_t num(const json& j, const char* k) { return j.value(k, int64_t{0}); }

// "[########............]" filled in proportion to used/limit; coloured green, yellow (>= 75%),
// red (>= 90%) on a terminal.
std::string bar(int64_t used, int64_t limit, bool color) {
  constexpr int k_width = 20;
  double frac = limit > 0 ? std::clamp(static_cast<double>(used) / static_cast<double>(limit), 0.0, 1.0) : 1.0;
  int filled = static_cast<int>(frac * k_width + 0.5);
  if (used > 0 && filled == 0) filled = 1;
  std::string inner = std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(k_width - filled), '.');
  if (!color) return "[" + inner + "]";
  const char* c = frac >= 0.9 ? "\033[31m" : frac >= 0.75 ? "\033[33m" : "\033[32m";
  return "[" + std::string(c) + inner + "\033[0m]";
}

std::string owner_of(const json& j) {
  std::string scope = j.value("scope", "");
  return scope == "org" ? std::string("org") : scope + " " + j.value("id", "");
}

void print_key(const json& k, int64_t now_ms, bool color) {
  if (k.contains("error")) {
    std::printf("\nkey %s: %s\n", k.value("key", "").c_str(), k.value("error", "").c_str());
    return;
  }
  std::string team = k.value("team", "");
  std::printf("\nkey %s%s%s\n", k.value("key", "").c_str(), team.empty() ? "" : " (team ", team.empty() ? "" : (team + ")").c_str());
  if (!k.value("enabled", true)) std::puts("  disabled by policy");
  const auto& budgets = k["budgets"];
  const auto& rates = k["rate_limits"];
  if (budgets.empty() && rates.empty()) std::puts("  no budgets or rate limits apply");
  for (const auto& b : budgets) {
    int64_t spent = num(b, "spent_nano"), held = num(b, "reserved_nano"), limit = num(b, "limit_nano");
    std::string label = owner_of(b) + " '" + b.value("name", "") + "' (" + b.value("period", "") + ", " +
                        b.value("window", "") + ")";
    int pct = limit > 0 ? static_cast<int>(std::min<int64_t>(999, spent * 100 / limit)) : 100;
    std::string line = "  budget " + label;
    std::printf("%-46s %s %3d%%  %s of %s", line.c_str(), bar(spent, limit, color).c_str(), pct,
                config::format_usd(spent).c_str(), config::format_usd(limit).c_str());
    if (held > 0) std::printf(" (+%s in flight)", config::format_usd(held).c_str());
    int64_t reset = num(b, "resets_at_ms");
    bool rolling = b.value("window", "") == "rolling";
    if (reset > now_ms) std::printf("; %s in %s", rolling ? "frees up" : "resets", human_duration((reset - now_ms + 999) / 1000).c_str());
    std::puts("");
  }
  for (const auto& r : rates) {
    std::string parts;
    auto add = [&](const std::string& s) { parts += (parts.empty() ? "" : ", ") + s; };
    if (int64_t rpm = num(r, "requests_per_minute"))
      add(std::to_string(std::max<int64_t>(0, num(r, "requests_available"))) + "/" + std::to_string(rpm) + " requests per minute left");
    if (int64_t tpm = num(r, "tokens_per_minute"))
      add(std::to_string(std::max<int64_t>(0, num(r, "tokens_available"))) + "/" + std::to_string(tpm) + " tokens per minute left");
    if (int64_t c = num(r, "concurrent"))
      add(std::to_string(num(r, "in_flight")) + "/" + std::to_string(c) + " in flight");
    std::string line = "  rate   " + owner_of(r);
    std::printf("%-46s %s\n", line.c_str(), parts.c_str());
  }
}

int run_status(bool as_json, const std::vector<std::string>& keys) {
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  json req = {{"op", "status"}};
  if (!keys.empty()) req["keys"] = keys;
  if (auto w = insecure_store_warning(*paths)) std::fprintf(stderr, "%s: %s\n", paint("warning", Colour::yellow, true).c_str(), w->c_str());
  auto r = agent::control_call(*paths, req);
  if (!r) {
    if (as_json) std::cout << json{{"running", false}}.dump(2) << "\n";
    else std::puts("gw sidecar: not running (it starts with `gw claude`, `gw codex`, `gw gemini` or `gw agent start`)");
    return 3;
  }
  if (as_json) {
    (*r)["running"] = true;
    std::cout << r->dump(2) << "\n";
    return 0;
  }
  const auto& s = *r;
  std::printf("gw sidecar: running on 127.0.0.1:%d (pid %d, version %s), up %s\n", s.value("port", 0), s.value("pid", 0),
              s.value("version", "").c_str(), human_duration(s.value("uptime_s", int64_t{0})).c_str());
  std::printf("policy:     %s (version %s)\n", s["policy"].value("source", "").c_str(), s["policy"].value("version", "").c_str());
  if (auto f = s["policy"].find("fetch"); f != s["policy"].end() && f->is_object()) {
    // The signed-policy fetcher: where it polls and whether the last poll worked.
    int64_t ok_ms = f->value("last_ok_ms", int64_t{0});
    std::string ago = ok_ms > 0 ? human_duration((s.value("now_ms", int64_t{0}) - ok_ms) / 1000) + " ago" : "never";
    std::printf("            fetched from %s: %s, last good check %s (every %ds)\n", f->value("url", "").c_str(),
                f->value("state", "").c_str(), ago.c_str(), f->value("interval_s", 0));
    if (std::string err = f->value("error", ""); !err.empty()) std::printf("            last error: %s\n", err.c_str());
  }
  if (auto l = s.find("login"); l != s.end() && l->is_object()) {
    // Who launcher sessions run as after `gw login` (ADR 0049), and whether the key is usable.
    int64_t ok_ms = l->value("last_ok_ms", int64_t{0});
    std::string ago = ok_ms > 0 ? human_duration((s.value("now_ms", int64_t{0}) - ok_ms) / 1000) + " ago" : "never";
    std::string who = l->value("owner", "");
    std::printf("login:      %s (key %s%s) at %s: %s, last answer %s\n", who.empty() ? "?" : who.c_str(),
                l->value("key", "?").c_str(), l->value("team", "").empty() ? "" : (", team " + l->value("team", "")).c_str(),
                l->value("url", "").c_str(), l->value("state", "").c_str(), ago.c_str());
    if (std::string refusal = l->value("refusal", ""); !refusal.empty()) std::printf("            %s\n", refusal.c_str());
    if (std::string err = l->value("error", ""); !err.empty()) std::printf("            last error: %s\n", err.c_str());
  }
  std::printf("sessions:   %d live\n", s.value("sessions", 0));
  if (auto c = s.find("central"); c != s.end() && c->is_object()) {
    // The audit forwarder: where it ships, how far the central has acknowledged, what is pending.
    int64_t ago_s = c->value("last_ack_ms", int64_t{0}) > 0
                        ? (s.value("now_ms", int64_t{0}) - c->value("last_ack_ms", int64_t{0})) / 1000
                        : -1;
    std::printf("central:    %s  %s, acked seq %llu, lag %llu, last ack %s\n", c->value("central", "").c_str(),
                c->value("state", "").c_str(), static_cast<unsigned long long>(c->value("acked_seq", uint64_t{0})),
                static_cast<unsigned long long>(c->value("lag", uint64_t{0})),
                ago_s < 0 ? "never" : (human_duration(ago_s) + " ago").c_str());
    if (std::string err = c->value("last_error", ""); !err.empty()) std::printf("            last error: %s\n", err.c_str());
  }
  if (auto l = s.find("leases"); l != s.end() && l->is_object() && !(*l)["leases"].empty()) {
    // Central budgets: what this device holds of each shared budget (ADR 0046), on one line.
    std::string line;
    for (const auto& e : (*l)["leases"]) {
      std::string scope = e.value("scope", "");
      line += (line.empty() ? "" : "; ") + scope + " '" + e.value("budget", "") + "' " +
              config::format_usd(std::max<int64_t>(0, num(e, "balance_nano"))) + " left of the lease (" +
              e.value("state", "") + ", " + config::format_usd(num(e, "remaining_nano")) + " unleased)";
    }
    std::printf("leases:     %s\n", line.c_str());
  }
  if (int mp = s.value("metrics_port", -1); mp > 0) std::printf("metrics:    http://127.0.0.1:%d/metrics\n", mp);
  std::printf("\n%-12s %9s %7s %7s %12s %12s %12s %12s\n", "agent", "requests", "denied", "errors", "input", "output",
              "cache read", "cache write");
  auto row = [](const std::string& name, const json& t) {
    const auto& k = t["tokens"];
    std::printf("%-12s %9lld %7lld %7lld %12lld %12lld %12lld %12lld\n", name.c_str(),
                static_cast<long long>(num(t, "requests")), static_cast<long long>(num(t, "denied")),
                static_cast<long long>(num(t, "errors")), static_cast<long long>(num(k, "input")),
                static_cast<long long>(num(k, "output")), static_cast<long long>(num(k, "cache_read")),
                static_cast<long long>(num(k, "cache_write")));
  };
  for (auto& [name, t] : s["stats"]["agents"].items()) row(name, t);
  row("total", s["stats"]["total"]);
  if (!s.contains("keys")) return 0;  // an older sidecar
  const bool color = use_color();
  for (const auto& k : s["keys"]) print_key(k, s.value("now_ms", int64_t{0}), color);
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand(
      "status", "Show the sidecar, requests per agent, and per key the spend against each budget and rate-limit headroom");
  auto json_out = std::make_shared<bool>(false);
  auto keys = std::make_shared<std::vector<std::string>>();
  cmd->add_flag("--json", *json_out, "Machine-readable output");
  cmd->add_option("--key", *keys,
                  "Show this virtual key (repeatable; default: every key when the policy has at most 20, else the "
                  "launcher's key)");
  cmd->callback([&ctx, json_out, keys] { ctx.exit_code = run_status(*json_out, *keys); });
}

}  // namespace gw::cli
