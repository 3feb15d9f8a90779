#pragma once
// A temporary stand-in for an agent's config directory (CODEX_HOME, ~/.gemini): a 0700 directory
// in which every entry of the user's real directory appears as a symlink, except the files the
// launcher rewrites (the config) or must never hand over (credentials). The agent's writes through
// the symlinks land in the user's real files; entries the agent creates fresh in the overlay
// (sessions, state databases) are moved into the real directory when the agent exits, so a run
// through gw leaves the same traces as a direct run. Nothing in the user's directory is modified
// before the agent starts.
#include <filesystem>
#include <set>
#include <string>

#include "core/common/result.hpp"

namespace gw::launch {

class HomeOverlay {
public:
  // Creates `<parent>/<tag>-<pid>-XXXXXX` (0700; parent created 0700 too) with `sub` below it
  // (sub may be empty: the overlay root itself stands for real_dir), then links every entry of
  // real_dir (which may not exist) except `excluded` names into it.
  static Result<HomeOverlay> create(const std::filesystem::path& parent, const std::string& tag,
                                    const std::filesystem::path& sub,
                                    const std::filesystem::path& real_dir,
                                    std::set<std::string> excluded);
  HomeOverlay(HomeOverlay&&) noexcept;
  HomeOverlay& operator=(HomeOverlay&&) noexcept;
  HomeOverlay(const HomeOverlay&) = delete;
  HomeOverlay& operator=(const HomeOverlay&) = delete;
  ~HomeOverlay();  // removes the overlay if finish() was not called

  const std::filesystem::path& root() const { return m_root; }  // e.g. GEMINI_CLI_HOME
  std::filesystem::path dir() const { return m_root / m_sub; }  // stands for real_dir

  // Writes a file into dir() with mode 0600 (the launcher's rewritten config).
  Status write_file(const std::string& name, const std::string& content) const;

  // After the agent exits: moves entries created in the overlay (not symlinks, not excluded,
  // absent from real_dir) into real_dir, creating it 0700 when needed, then removes the overlay.
  // Returns the names that could not be moved (left behind and deleted), for a warning.
  std::set<std::string> finish();

private:
  HomeOverlay() = default;
  std::filesystem::path m_root;
  std::filesystem::path m_sub;
  std::filesystem::path m_real;
  std::set<std::string> m_excluded;
  bool m_done = true;
};

// Removes overlays left by launchers that died without cleaning up (SIGKILL, power loss):
// entries of parent named `<tag>-<pid>-*` whose pid no longer runs. Never touches a live one.
void sweep_stale_overlays(const std::filesystem::path& parent);

}  // namespace gw::launch
