#pragma once
// Policy bundles: the exact bytes of a policy file plus what governs their use (org, version,
// validity), signed by one or more keys (signed_doc.hpp). docs/policy-signing.md describes the
// format and the checks; verify_bundle() is the only way a bundle becomes a Policy.
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"
#include "core/config/policy.hpp"
#include "core/policy/signed_doc.hpp"
#include "core/policy/trust.hpp"

namespace gw::policy {

inline constexpr size_t k_max_bundle_bytes = 4u << 20;

enum class FailMode { closed, open };  // after expiry + grace while offline
std::string_view to_string(FailMode m);

// What the signatures cover.
struct BundlePayload {
  std::string org;
  uint64_t version = 0;       // only goes up
  int64_t issued_at = 0;      // unix seconds
  int64_t expires_at = 0;     // unix seconds
  int64_t grace_s = 0;        // offline grace after expires_at
  FailMode fail_mode = FailMode::closed;
  std::string policy_format;  // "toml" or "json"
  std::string policy_text;    // the exact policy file bytes
};

// A signer: its private key and, for a delegated signing key, the certificate a root issued it.
struct Signer {
  Ed25519Key key;
  std::optional<SignedDoc> cert;
};

// Serialises payload, signs it with every signer and returns the bundle file's bytes. It does not
// validate the policy (the CLI does, before calling this).
Result<std::string> sign_bundle(const BundlePayload& payload, const std::vector<Signer>& signers,
                                const std::optional<SignedDoc>& revocations = std::nullopt);

// Why a bundle was refused; each attack the tests cover has its own value.
enum class Rejection {
  oversized, malformed, bad_signature, unknown_key, unauthorized_key, revoked_key, wrong_org,
  rollback, same_version_changed, expired, future_dated, invalid_policy, not_enough_signatures,
};
std::string_view to_string(Rejection r);

struct BundleError {
  Rejection reason;
  std::string message;  // precise, user-facing; says what to do
};

// What this machine remembers between bundles (persisted by bundle_store).
struct BundleState {
  uint64_t version = 0;          // of the bundle in force (0: none yet)
  std::string payload_sha256;    // hex, of the bundle in force
  uint64_t revocation_serial = 0;
  std::set<std::string> revoked; // every key id ever seen revoked
};

struct VerifyOptions {
  int64_t now_s = 0;
  int64_t max_skew_s = 300;        // issued_at may be this far in the future
  bool allow_grace = false;        // accept an expired bundle until expires_at + grace (cached copy)
  size_t max_bytes = k_max_bundle_bytes;
};

struct VerifiedBundle {
  BundlePayload payload;
  std::string payload_sha256;
  std::vector<std::string> signer_key_ids;
  std::shared_ptr<const config::Policy> policy;
  BundleState next_state;  // the state to persist once this bundle is in force
  bool unchanged = false;  // same version and bytes as the one in force
};

// Verifies, in this order: size, envelope, signatures (each by a pinned root or by a key with a
// valid, current, same-org certificate from a pinned root; none revoked; `threshold` distinct
// keys), then the payload: org, version against `state` (strictly newer; the same version must
// have the same bytes), issued_at not in the future beyond skew, not expired; finally the policy
// itself (parse and validate). Nothing is parsed before its signature has been checked.
std::expected<VerifiedBundle, BundleError> verify_bundle(std::string_view bytes, const TrustStore& trust,
                                                         const BundleState& state, const VerifyOptions& opts);

}  // namespace gw::policy
