// gw usage [--by model|day|agent|key] [--days N] [--json]: tokens and cost of the requests gw
// charged, read from spend.db in the state directory (written by the limits stage).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands/cli_util.hpp"
#include "cli/commands/commands.hpp"
#include "core/common/clock.hpp"
#include "core/limits/usage_log.hpp"

namespace gw::cli {

namespace {

int run_usage(const std::string& by, int days, bool json) {
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  auto file = paths->state_dir / "spend.db";
  limits::UsageGroup group = by == "day"     ? limits::UsageGroup::day
                             : by == "agent" ? limits::UsageGroup::agent
                             : by == "key"   ? limits::UsageGroup::key
                                             : limits::UsageGroup::model;
  std::vector<limits::UsageSummary> rows;
  if (std::filesystem::exists(file)) {
    auto log = limits::UsageLog::open(file);
    if (!log) return print_error(log.error().message);
    int64_t since = days > 0 ? SystemClock().now_ms() - int64_t{days} * 86'400'000 : 0;
    auto r = (*log)->summarize(group, since);
    if (!r) return print_error(r.error().message);
    rows = std::move(*r);
  }
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : rows)
      out.push_back({{by, s.group},
                     {"requests", s.requests},
                     {"input_tokens", s.usage.input_tokens},
                     {"output_tokens", s.usage.output_tokens},
                     {"cache_read_tokens", s.usage.cache_read_tokens},
                     {"cache_write_tokens", s.usage.cache_write_5m_tokens},
                     {"reasoning_tokens", s.usage.reasoning_tokens},
                     {"cost_usd", static_cast<double>(s.cost_nano_usd) / 1e9},
                     {"cost_nano_usd", s.cost_nano_usd}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (rows.empty()) {
    std::puts("no usage recorded yet");
    return 0;
  }
  std::printf("%-28s %9s %12s %12s %12s %12s %11s\n", by.c_str(), "requests", "input", "output",
              "cache read", "cache write", "cost");
  int64_t total = 0;
  for (const auto& s : rows) {
    total += s.cost_nano_usd;
    std::printf("%-28s %9lld %12lld %12lld %12lld %12lld %11s\n", s.group.c_str(),
                static_cast<long long>(s.requests), static_cast<long long>(s.usage.input_tokens),
                static_cast<long long>(s.usage.output_tokens),
                static_cast<long long>(s.usage.cache_read_tokens),
                static_cast<long long>(s.usage.cache_write_5m_tokens),
                config::format_usd(s.cost_nano_usd).c_str());
  }
  std::printf("%-28s %9s %12s %12s %12s %12s %11s\n", "total", "", "", "", "", "",
              config::format_usd(total).c_str());
  return 0;
}

}  // namespace

void add_usage_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("usage", "Tokens and cost of the requests gw charged");
  auto by = std::make_shared<std::string>("model");
  auto days = std::make_shared<int>(0);
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--by", *by, "group by model, day, agent or key")
      ->check(CLI::IsMember({"model", "day", "agent", "key"}));
  cmd->add_option("--days", *days, "only the last N days (default: all)");
  cmd->add_flag("--json", *json, "print JSON");
  cmd->callback([&ctx, by, days, json] { ctx.exit_code = run_usage(*by, *days, *json); });
}

}  // namespace gw::cli
