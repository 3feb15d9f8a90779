#pragma once
// Running the agent as a child of the launcher (not exec: the launcher revokes the session and
// removes overlays afterwards) while keeping the terminal experience of a direct run.
#include <filesystem>
#include <string>
#include <vector>

#include "cli/launch/env.hpp"
#include "core/common/result.hpp"

namespace gw::launch {

// The agent's executable: $GW_<AGENT>_BIN when set (GW_CLAUDE_BIN, GW_CODEX_BIN, GW_GEMINI_BIN),
// else `binary` searched on env's PATH. Errc::not_found names the package to install.
Result<std::filesystem::path> find_agent_binary(const std::string& agent, const std::string& binary,
                                                const EnvMap& env);

// Starts `exe args...` with exactly `env`, in the launcher's process group and terminal, and
// waits for it. While waiting the launcher ignores SIGINT and SIGQUIT (the terminal delivers
// them to the child, which decides) and forwards SIGTERM and SIGHUP to the child; the child
// starts with default signal dispositions and an empty signal mask. Returns the raw wait status,
// or Errc::io / Errc::not_found when the child could not be started.
Result<int> run_child(const std::filesystem::path& exe, const std::vector<std::string>& args,
                      const EnvMap& env);

// Turns a wait status into the launcher's own end: returns the exit code for a normal exit; for
// death by a signal, re-raises that signal on the launcher with the default disposition (so the
// shell sees the same thing) and returns 128+signal only if that did not end the process.
int exit_like_child(int wait_status);

}  // namespace gw::launch
