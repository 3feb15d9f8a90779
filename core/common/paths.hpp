#pragma once
// Where gw keeps its files. Everything derives from the environment passed in (never read
// implicitly), so tests run with a temporary HOME and never touch the user's.
//   config:  $GW_CONFIG_DIR, else $XDG_CONFIG_HOME/gw, else $HOME/.config/gw
//   state:   $GW_STATE_DIR,  else $XDG_STATE_HOME/gw,  else $HOME/.local/state/gw
//   runtime: the state dir's "run" folder (control socket, pid file); 0700.
#include <filesystem>
#include <string>

#include "core/common/result.hpp"

namespace gw {

struct Paths {
  std::filesystem::path config_dir;
  std::filesystem::path state_dir;
  std::filesystem::path run_dir;

  std::filesystem::path config_file() const { return config_dir / "config.toml"; }
  std::filesystem::path control_socket() const { return run_dir / "agent.sock"; }
  std::filesystem::path pid_file() const { return run_dir / "agent.pid"; }
  std::filesystem::path agent_log() const { return state_dir / "agent.log"; }
};

// Resolves the paths from the process environment.
Result<Paths> resolve_paths();
// Creates dir (and parents) with mode 0700; refuses if it exists and is group/world accessible
// or owned by someone else.
Status ensure_private_dir(const std::filesystem::path& dir);

}  // namespace gw
