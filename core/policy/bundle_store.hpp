#pragma once
// The last-known-good bundle on this machine: `<state_dir>/policy/current.bundle` (the exact bytes
// that verified) and `state.json` (BundleState plus where it came from). Both are replaced
// atomically, the bundle first, so a crash between the two leaves a bundle that is newer than the
// recorded state (accepted on restart) and never an older one (which would look like a rollback).
#include <filesystem>
#include <optional>
#include <string>

#include "core/common/result.hpp"
#include "core/policy/bundle.hpp"

namespace gw::policy {

struct StoredBundleInfo {
  BundleState state;
  std::string source;        // file path or URL it was installed from
  int64_t installed_at = 0;  // unix seconds
};

class BundleStore {
public:
  explicit BundleStore(std::filesystem::path dir) : m_dir(std::move(dir)) {}
  const std::filesystem::path& dir() const { return m_dir; }

  // The recorded state; an empty state when nothing was ever installed. Errors: unreadable or
  // corrupt state file (the message names it).
  Result<StoredBundleInfo> load_info() const;
  // The bytes of the bundle in force, or nullopt when there is none.
  Result<std::optional<std::string>> load_current() const;
  // Makes `bytes` the bundle in force, with its verified state.
  Status install(std::string_view bytes, const BundleState& state, const std::string& source, int64_t now_s);
  // Records revocations learnt from a bundle that was otherwise refused or unchanged.
  Status save_state(const StoredBundleInfo& info);

private:
  std::filesystem::path m_dir;
};

}  // namespace gw::policy
