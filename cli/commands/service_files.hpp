#pragma once
// The login service that runs the sidecar (`gw agent run --idle-exit 0`): a systemd user unit on
// Linux, a launchd agent on macOS. The packaged copies (installers/systemd/gw-agent.service.in,
// installers/launchd/dev.gw.agent.plist.in, with @GW_BIN@ for the binary) are these texts; a
// unit test keeps them equal.
#include <filesystem>
#include <string>

namespace gw::cli {

inline constexpr const char* k_systemd_unit_name = "gw-agent.service";
inline constexpr const char* k_launchd_label = "dev.gw.agent";

std::string systemd_unit(const std::string& gw_exe);
std::string launchd_plist(const std::string& gw_exe);

// Where install-service writes: $XDG_CONFIG_HOME/systemd/user (else ~/.config/systemd/user) on
// Linux, ~/Library/LaunchAgents on macOS. Empty when HOME is unknown.
std::filesystem::path systemd_user_dir();
std::filesystem::path launchd_agents_dir();

}  // namespace gw::cli
