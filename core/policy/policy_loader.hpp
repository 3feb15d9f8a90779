#pragma once
// Which policy is in force on this machine, and from where. The sidecar and `gw policy show`
// both call load_policy_in_force(), so what `show` says is what the sidecar enforces.
//
// Order: an explicit file (--policy / $GW_POLICY: a policy file, or a signed bundle, which is
// verified and installed as the last-known-good); else the installed bundle in
// <state>/policy/current.bundle (re-verified; accepted until expiry + grace); else
// <config>/policy.toml; else the built-in default policy.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/paths.hpp"
#include "core/common/result.hpp"
#include "core/config/policy.hpp"
#include "core/policy/bundle.hpp"
#include "core/policy/bundle_store.hpp"

namespace gw::policy {

struct BundleInForce {
  uint64_t version = 0;
  std::string org;
  int64_t issued_at = 0, expires_at = 0, grace_s = 0;
  FailMode fail_mode = FailMode::closed;
  std::vector<std::string> signers;
  std::string source;  // file path or URL it came from
};

struct PolicyInForce {
  std::shared_ptr<const config::Policy> policy;
  std::string source;  // "built-in", a file path, or "bundle v7 (acme)"
  std::optional<BundleInForce> bundle;
};

inline std::filesystem::path trust_dir(const Paths& p) { return p.config_dir / "trust"; }
inline std::filesystem::path bundle_dir(const Paths& p) { return p.state_dir / "policy"; }

// True when bytes look like a bundle envelope rather than a policy file (TOML or JSON): a JSON
// object that names the bundle type anywhere, so a damaged bundle is still refused as a bundle.
bool looks_like_bundle(std::string_view bytes);

// Verifies `bytes` against the pinned roots and the installed state and, when accepted and newer,
// installs it as the last-known-good. Returns the verified bundle (unchanged = already in force).
std::expected<VerifiedBundle, BundleError> install_bundle(const Paths& paths, std::string_view bytes,
                                                          const std::string& source, int64_t now_s);

Result<PolicyInForce> load_policy_in_force(const Paths& paths, const std::filesystem::path& explicit_file,
                                           int64_t now_s);

// One-paragraph description for `gw policy show` and `gw status`.
std::string describe(const PolicyInForce& p, int64_t now_s);

}  // namespace gw::policy
