#pragma once
// A small organisation for bundle tests: a pinned root, a delegated signing key, and helpers that
// sign payloads the way `gw policy sign` does.
#include <string>

#include "core/policy/bundle.hpp"
#include "core/policy/trust.hpp"

namespace gw::policy::test {

inline constexpr int64_t k_now = 1'790'000'000;  // 2026-09-21

inline const char* k_valid_policy = R"(
version = "team-1"
[local]
key = "me"
[keys.me]
providers = ["anthropic"]
models = ["claude-*"]
)";

struct Org {
  Ed25519Key root = Ed25519Key::generate();
  Ed25519Key signing = Ed25519Key::generate();
  TrustStore trust;
  SignedDoc cert;

  explicit Org(std::string id = "acme") {
    (void)trust.add_root(root, id);
    cert = issue_key_cert({id, Ed25519Key::from_public(signing.public_raw()).value(), k_now - 86400, k_now + 90 * 86400}, root)
               .value();
  }

  BundlePayload payload(uint64_t version, std::string policy = k_valid_policy) const {
    BundlePayload p;
    p.org = trust.org;
    p.version = version;
    p.issued_at = k_now - 60;
    p.expires_at = k_now + 7 * 86400;
    p.grace_s = 3 * 86400;
    p.policy_format = "toml";
    p.policy_text = std::move(policy);
    return p;
  }

  std::string bundle(uint64_t version) const { return sign_bundle(payload(version), {{signing, cert}}).value(); }
};

inline VerifyOptions at(int64_t now) {
  VerifyOptions o;
  o.now_s = now;
  return o;
}

}  // namespace gw::policy::test
