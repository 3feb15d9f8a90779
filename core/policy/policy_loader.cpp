#include "core/policy/policy_loader.hpp"

#include "core/common/files.hpp"
#include "core/common/time_format.hpp"

namespace gw::policy {
namespace fs = std::filesystem;

namespace {

constexpr const char* k_time = "%Y-%m-%d %H:%M:%SZ";

std::string span(int64_t seconds) {
  if (seconds < 0) seconds = -seconds;
  if (seconds >= 2 * 86400) return std::to_string(seconds / 86400) + " days";
  if (seconds >= 2 * 3600) return std::to_string(seconds / 3600) + " hours";
  return std::to_string(seconds / 60) + " minutes";
}

PolicyInForce from_bundle(const VerifiedBundle& v, const std::string& source) {
  BundleInForce b;
  b.version = v.payload.version;
  b.org = v.payload.org;
  b.issued_at = v.payload.issued_at;
  b.expires_at = v.payload.expires_at;
  b.grace_s = v.payload.grace_s;
  b.fail_mode = v.payload.fail_mode;
  b.signers = v.signer_key_ids;
  b.source = source;
  std::string origin = "bundle v" + std::to_string(b.version) + " (" + b.org + ")";
  auto policy = std::make_shared<config::Policy>(*v.policy);
  policy->validity = config::Policy::Validity{b.expires_at + b.grace_s, b.fail_mode == FailMode::open, origin};
  return {std::move(policy), origin, std::move(b)};
}

Error to_error(const BundleError& e) { return Error{Errc::denied, e.message}; }

}  // namespace

bool looks_like_bundle(std::string_view bytes) {
  size_t i = bytes.find_first_not_of(" \t\r\n");
  // A JSON policy file also starts with '{'; only a bundle names the bundle type.
  return i != std::string_view::npos && bytes[i] == '{' &&
         bytes.find("\"" + std::string(k_type_bundle) + "\"") != std::string_view::npos;
}

std::expected<VerifiedBundle, BundleError> install_bundle(const Paths& paths, std::string_view bytes,
                                                          const std::string& source, int64_t now_s) {
  auto trust = TrustStore::load(trust_dir(paths));
  if (!trust) return std::unexpected(BundleError{Rejection::unknown_key, trust.error().message});
  BundleStore store(bundle_dir(paths));
  auto info = store.load_info();
  if (!info) return std::unexpected(BundleError{Rejection::malformed, info.error().message});
  VerifyOptions opts;
  opts.now_s = now_s;
  auto v = verify_bundle(bytes, *trust, info->state, opts);
  if (!v) return v;
  if (!v->unchanged) {
    if (auto st = store.install(bytes, v->next_state, source, now_s); !st)
      return std::unexpected(BundleError{Rejection::malformed, "cannot store the bundle: " + st.error().message});
  } else if (v->next_state.revoked != info->state.revoked) {
    info->state = v->next_state;
    (void)store.save_state(*info);
  }
  return v;
}

Result<PolicyInForce> load_policy_in_force(const Paths& paths, const fs::path& explicit_file, int64_t now_s) {
  if (!explicit_file.empty()) {
    GW_TRY(bytes, read_file(explicit_file, k_max_bundle_bytes + 1));
    if (looks_like_bundle(bytes)) {
      auto v = install_bundle(paths, bytes, explicit_file.string(), now_s);
      if (!v) return std::unexpected(to_error(v.error()));
      return from_bundle(*v, explicit_file.string());
    }
    GW_TRY(policy, config::load_policy_file(explicit_file));
    return PolicyInForce{policy, explicit_file.string(), std::nullopt};
  }
  BundleStore store(bundle_dir(paths));
  GW_TRY(current, store.load_current());
  if (current) {
    GW_TRY(info, store.load_info());
    auto trust = TrustStore::load(trust_dir(paths));
    if (!trust) return std::unexpected(trust.error());
    VerifyOptions opts;
    opts.now_s = now_s;
    opts.allow_grace = true;
    auto v = verify_bundle(*current, *trust, info.state, opts);
    if (!v) {
      return fail(Errc::denied, "the installed " + v.error().message +
                                    "\nReconnect to the central gateway (it sends a current bundle), or install one with: "
                                    "gw policy install BUNDLE");
    }
    return from_bundle(*v, info.source);
  }
  fs::path file = paths.config_dir / "policy.toml";
  std::error_code ec;
  if (fs::exists(file, ec)) {
    GW_TRY(policy, config::load_policy_file(file));
    return PolicyInForce{policy, file.string(), std::nullopt};
  }
  return PolicyInForce{config::default_policy(), "built-in", std::nullopt};
}

std::string describe(const PolicyInForce& p, int64_t now_s) {
  std::string out = "policy:    " + p.source + (p.policy->version.empty() ? "" : " (version \"" + p.policy->version + "\")") + "\n";
  if (!p.bundle) return out;
  const BundleInForce& b = *p.bundle;
  out += "org:       " + b.org + "\n";
  out += "version:   " + std::to_string(b.version) + "\n";
  out += "from:      " + b.source + "\n";
  out += "issued:    " + utc_time(b.issued_at, k_time) + "\n";
  std::string signers;
  for (const auto& s : b.signers) signers += (signers.empty() ? "" : ", ") + s;
  out += "signed by: " + signers + "\n";
  if (now_s < b.expires_at) {
    out += "expires:   " + utc_time(b.expires_at, k_time) + " (in " + span(b.expires_at - now_s) + ")\n";
  } else {
    out += "expired:   " + utc_time(b.expires_at, k_time) + " (" + span(now_s - b.expires_at) + " ago); offline grace until " +
           utc_time(b.expires_at + b.grace_s, k_time) + ", then fail " + std::string(to_string(b.fail_mode)) + "\n";
  }
  out += "offline:   grace " + span(b.grace_s) + " after expiry, then fail " + std::string(to_string(b.fail_mode)) + "\n";
  return out;
}

}  // namespace gw::policy
