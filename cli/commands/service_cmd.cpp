// gw agent install-service | uninstall-service: run the sidecar at login (systemd user unit on
// Linux, launchd agent on macOS). Says each step it took and what to do when one failed.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "cli/commands/cli_util.hpp"
#include "cli/commands/commands.hpp"
#include "cli/commands/progress.hpp"
#include "cli/commands/service_files.hpp"
#include "cli/commands/subprocess.hpp"

namespace gw::cli {
namespace fs = std::filesystem;

namespace {

struct ServiceArgs {
  bool no_start = false;
  bool print = false;
};

#ifdef __APPLE__
constexpr bool k_launchd = true;
#else
constexpr bool k_launchd = false;
#endif

fs::path service_file() {
  if (k_launchd) {
    auto d = launchd_agents_dir();
    return d.empty() ? d : d / (std::string(k_launchd_label) + ".plist");
  }
  auto d = systemd_user_dir();
  return d.empty() ? d : d / k_systemd_unit_name;
}

// Runs one service-manager step and reports it; false when it failed.
bool step(const std::vector<std::string>& argv) {
  std::string shown;
  for (const auto& a : argv) shown += (shown.empty() ? "" : " ") + a;
  ProgramResult r;
  {
    Progress progress("running " + shown + "...");  // enable --now can wait on the unit's start
    r = run_program(argv, 30000);
  }
  if (r.exit_code == 0) {
    std::printf("ran: %s\n", shown.c_str());
    return true;
  }
  while (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
  std::fprintf(stderr, "gw: `%s` failed (exit %d): %s\n", shown.c_str(), r.exit_code, r.output.c_str());
  return false;
}

int install(const ServiceArgs& a) {
  std::string exe = self_exe();
  std::string text = k_launchd ? launchd_plist(exe) : systemd_unit(exe);
  if (a.print) {
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  fs::path file = service_file();
  if (file.empty()) return print_error("cannot tell where to write the service: HOME is not set");
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) return print_error("cannot create " + file.parent_path().string() + ": " + ec.message());
  {
    std::ofstream out(file, std::ios::trunc);
    out << text;
    if (!out) return print_error("cannot write " + file.string());
  }
  std::printf("wrote %s (runs `%s agent run --idle-exit 0` at login)\n", file.c_str(), exe.c_str());
  const char* manager = k_launchd ? "launchctl" : "systemctl";
  if (!find_in_path(manager)) {
    std::printf("%s is not on PATH, so nothing was enabled; the service starts once your service manager loads %s\n",
                manager, file.c_str());
    return 0;
  }
  bool ok = true;
  if (k_launchd) {
    std::string domain = "gui/" + std::to_string(::getuid());
    (void)run_program({"launchctl", "bootout", domain, file.string()});  // replace a loaded copy
    if (!a.no_start) ok = step({"launchctl", "bootstrap", domain, file.string()});
  } else {
    ok = step({"systemctl", "--user", "daemon-reload"});
    if (ok) ok = a.no_start ? step({"systemctl", "--user", "enable", k_systemd_unit_name})
                            : step({"systemctl", "--user", "enable", "--now", k_systemd_unit_name});
  }
  if (!ok)
    return print_error(std::string("the service file is written but could not be enabled; log in to a desktop or "
                                   "SSH session with a user service manager and run `gw agent install-service` again") +
                       (k_launchd ? "" : " (or `loginctl enable-linger $USER` for a headless machine)"));
  std::puts(a.no_start ? "enabled: the sidecar starts at your next login" : "enabled and started: the sidecar now runs at login");
  return 0;
}

int uninstall() {
  fs::path file = service_file();
  if (file.empty()) return print_error("cannot tell where the service is: HOME is not set");
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    std::printf("no gw service installed (%s does not exist)\n", file.c_str());
    return 0;
  }
  const char* manager = k_launchd ? "launchctl" : "systemctl";
  if (find_in_path(manager)) {
    if (k_launchd) (void)step({"launchctl", "bootout", "gui/" + std::to_string(::getuid()), file.string()});
    else (void)step({"systemctl", "--user", "disable", "--now", k_systemd_unit_name});
  }
  fs::remove(file, ec);
  if (ec) return print_error("cannot remove " + file.string() + ": " + ec.message());
  std::printf("removed %s\n", file.c_str());
  if (!k_launchd && find_in_path(manager)) (void)step({"systemctl", "--user", "daemon-reload"});
  std::puts("your keys, policy and audit data are kept (see installers/uninstall.sh --purge to remove them)");
  return 0;
}

}  // namespace

void add_service_commands(CLI::App& agent, CommandContext& ctx) {
  auto args = std::make_shared<ServiceArgs>();
  auto* in = agent.add_subcommand("install-service",
                                  "Run the sidecar at login: write a systemd user unit (macOS: a launchd agent) and enable it");
  in->add_flag("--no-start", args->no_start, "Enable for the next login without starting it now");
  in->add_flag("--print", args->print, "Print the unit (plist) instead of installing it");
  in->footer("The unit goes to $XDG_CONFIG_HOME/systemd/user/gw-agent.service (default ~/.config/systemd/user); "
             "macOS: ~/Library/LaunchAgents/dev.gw.agent.plist. The launcher uses the running service's sidecar.");
  in->callback([&ctx, args] { ctx.exit_code = install(*args); });
  agent.add_subcommand("uninstall-service", "Stop and remove the login service (keys and data are kept)")
      ->callback([&ctx] { ctx.exit_code = uninstall(); });
}

}  // namespace gw::cli
