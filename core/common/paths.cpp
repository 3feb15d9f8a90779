#include "core/common/paths.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace gw {
namespace fs = std::filesystem;

static std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

Result<Paths> resolve_paths() {
  std::string home = env_or_empty("HOME");
  auto pick = [&](const char* own, const char* xdg, const char* fallback) -> Result<fs::path> {
    if (auto v = env_or_empty(own); !v.empty()) return fs::path(v);
    if (auto v = env_or_empty(xdg); !v.empty()) return fs::path(v) / "gw";
    if (home.empty())
      return fail(Errc::config, std::string("cannot find a home directory: set HOME or ") + own);
    return fs::path(home) / fallback;
  };
  GW_TRY(config, pick("GW_CONFIG_DIR", "XDG_CONFIG_HOME", ".config/gw"));
  GW_TRY(state, pick("GW_STATE_DIR", "XDG_STATE_HOME", ".local/state/gw"));
  Paths p{config, state, state / "run"};
  return p;
}

Status ensure_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(Errc::io, "cannot create " + dir.string() + ": " + ec.message());
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return fail(Errc::io, "cannot stat " + dir.string());
  if (st.st_uid != ::getuid())
    return fail(Errc::config, dir.string() + " is owned by another user; refusing to use it");
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0)
    return fail(Errc::io, "cannot make " + dir.string() + " private (chmod 0700)");
  return {};
}

}  // namespace gw
