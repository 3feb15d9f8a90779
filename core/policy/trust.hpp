#pragma once
// The trust model for policy bundles (docs/policy-signing.md):
//  - ROOT keys are pinned on each machine at install (`gw trust add ROOT.pub --org ORG`). They are
//    kept offline by IT and used rarely.
//  - A root authorizes an online SIGNING key by signing a key certificate (`gw trust delegate`):
//    the signing key's public key, org and validity window. Bundles carry the certificates of the
//    keys that signed them, so rotating a signing key never touches a laptop.
//  - A root revokes signing keys with a revocation list (`gw trust revoke`) carrying a serial that
//    only goes up. Bundles carry the newest list; each machine remembers every key it has ever seen
//    revoked, so omitting the list later does not un-revoke a key.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/common/ed25519.hpp"
#include "core/common/result.hpp"
#include "core/policy/signed_doc.hpp"

namespace gw::policy {

// What a machine trusts: its organisation's id and root public keys.
struct TrustStore {
  std::string org;
  std::map<std::string, Ed25519Key> roots;  // by key id
  int threshold = 1;                        // distinct valid signatures a bundle needs

  // Reads `<dir>/trust.json`. A missing file is an error that says how to pin a root.
  static Result<TrustStore> load(const std::filesystem::path& dir);
  // Writes `<dir>/trust.json` atomically (0644; the file holds public keys only).
  Status save(const std::filesystem::path& dir) const;
  // Pins a root; refuses a second organisation (the message says how to start over).
  Status add_root(const Ed25519Key& root, const std::string& org_id);
};

// A root's statement that `key` may sign policy for `org` between not_before and not_after.
struct KeyCert {
  std::string org;
  Ed25519Key key;  // public only
  int64_t not_before = 0;  // unix seconds
  int64_t not_after = 0;
};

// A root's list of revoked signing key ids.
struct RevocationList {
  std::string org;
  uint64_t serial = 0;
  int64_t issued_at = 0;
  std::set<std::string> revoked;
};

// Builds and signs a certificate / revocation list with a root's private key.
Result<SignedDoc> issue_key_cert(const KeyCert& cert, const Ed25519Key& root);
Result<SignedDoc> issue_revocations(const RevocationList& list, const Ed25519Key& root);

// Decodes a certificate / revocation list, checking that it carries a valid signature by a pinned
// root. Errors say which check failed.
Result<KeyCert> verify_key_cert(const SignedDoc& doc, const TrustStore& trust);
Result<RevocationList> verify_revocations(const SignedDoc& doc, const TrustStore& trust);

// "30d", "12h", "90m", "45s" or a plain number of seconds.
Result<int64_t> parse_duration_s(std::string_view text);

}  // namespace gw::policy
