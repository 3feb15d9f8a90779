// gw doctor [--json]: checks the installation and explains each problem with a fix. Exit 1 when
// a check fails (gw cannot work as configured), else 0; warnings do not change the exit status.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands/cli_util.hpp"
#include "cli/commands/colour.hpp"
#include "cli/commands/commands.hpp"
#include "cli/commands/doctor_checks.hpp"
#include "cli/commands/progress.hpp"

namespace gw::cli {

namespace {

int run_doctor(bool json) {
  auto paths = resolve_paths();
  if (!paths) return print_error(paths.error().message);
  std::vector<CheckResult> checks;
  {
    // A spinner on a terminal only (the central check waits on the network).
    Progress progress("checking...");
    checks = run_doctor_checks(*paths, [&](std::string_view what) { progress.set("checking " + std::string(what) + "..."); });
  }
  bool failed = false;
  for (const auto& c : checks) failed = failed || c.verdict == Verdict::fail;
  if (json) {
    nlohmann::json out = {{"ok", !failed}, {"version", GW_VERSION}, {"checks", nlohmann::json::array()}};
    for (const auto& c : checks)
      out["checks"].push_back({{"id", c.id}, {"title", c.title}, {"verdict", to_string(c.verdict)}, {"detail", c.detail}, {"fix", c.fix}});
    std::cout << out.dump(2) << "\n";
    return failed ? 1 : 0;
  }
  for (const auto& c : checks) {
    std::string mark;
    switch (c.verdict) {
      case Verdict::ok: mark = paint("ok  ", Colour::green); break;
      case Verdict::info: mark = paint("info", Colour::dim); break;
      case Verdict::warn: mark = paint("warn", Colour::yellow); break;
      case Verdict::fail: mark = paint("FAIL", Colour::red); break;
    }
    std::printf("[%s] %s: %s\n", mark.c_str(), c.title.c_str(), c.detail.c_str());
    if (!c.fix.empty()) std::printf("       fix: %s\n", c.fix.c_str());
  }
  std::puts(failed ? "\nsomething is wrong: see the FAIL lines above" : "\ngw is ready");
  return failed ? 1 : 0;
}

}  // namespace

void add_doctor_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("doctor", "Check the installation: agents, sidecar, policy, central, keys, keychain, spool, port");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Machine-readable output (for fleet tooling)");
  cmd->footer("Exit status 1 when a check fails, 0 otherwise (warnings included).");
  cmd->callback([&ctx, json] { ctx.exit_code = run_doctor(*json); });
}

}  // namespace gw::cli
