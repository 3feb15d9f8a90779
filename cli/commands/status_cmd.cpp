// gw status: the sidecar, its uptime, and requests and tokens per agent.
#include <cstdio>
#include <iostream>

#include "agent/control_client.hpp"
#include "cli/commands/cli_util.hpp"
#include "cli/commands/commands.hpp"

namespace gw::cli {

namespace {

std::string human_duration(int64_t s) {
  char buf[64];
  if (s < 60) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm %llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  else std::snprintf(buf, sizeof buf, "%lldh %lldm", static_cast<long long>(s / 3600), static_cast<long long>((s % 3600) / 60));
  return buf;
}

int run_status(bool json) {
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  auto r = agent::control_call(*paths, {{"op", "status"}});
  if (!r) {
    if (json) std::cout << nlohmann::json{{"running", false}}.dump(2) << "\n";
    else std::puts("gw sidecar: not running (it starts with `gw claude`, `gw codex`, `gw gemini` or `gw agent start`)");
    return 3;
  }
  if (json) {
    (*r)["running"] = true;
    std::cout << r->dump(2) << "\n";
    return 0;
  }
  const auto& s = *r;
  std::printf("gw sidecar: running on 127.0.0.1:%d (pid %d, version %s), up %s\n", s.value("port", 0), s.value("pid", 0),
              s.value("version", "").c_str(), human_duration(s.value("uptime_s", int64_t{0})).c_str());
  std::printf("policy:     %s (version %s)\n", s["policy"].value("source", "").c_str(), s["policy"].value("version", "").c_str());
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
  std::printf("\n%-12s %9s %7s %7s %12s %12s %12s %12s\n", "agent", "requests", "denied", "errors", "input", "output",
              "cache read", "cache write");
  auto row = [](const std::string& name, const nlohmann::json& t) {
    const auto& k = t["tokens"];
    std::printf("%-12s %9lld %7lld %7lld %12lld %12lld %12lld %12lld\n", name.c_str(),
                static_cast<long long>(t.value("requests", int64_t{0})), static_cast<long long>(t.value("denied", int64_t{0})),
                static_cast<long long>(t.value("errors", int64_t{0})), static_cast<long long>(k.value("input", int64_t{0})),
                static_cast<long long>(k.value("output", int64_t{0})), static_cast<long long>(k.value("cache_read", int64_t{0})),
                static_cast<long long>(k.value("cache_write", int64_t{0})));
  };
  for (auto& [name, t] : s["stats"]["agents"].items()) row(name, t);
  row("total", s["stats"]["total"]);
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("status", "Show the sidecar, its uptime, and requests and tokens per agent");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Machine-readable output");
  cmd->callback([&ctx, json] { ctx.exit_code = run_status(*json); });
}

}  // namespace gw::cli
