#pragma once
// Signed documents: the one envelope shape used for policy bundles, signing-key certificates and
// revocation lists.
//
//   {"type": "gw.policy-bundle", "payload": "<base64url of the exact payload bytes>",
//    "signatures": [{"key_id": "<16 hex>", "sig": "<base64url Ed25519 signature>"}], ...}
//
// A signature covers "gw-signed-v1\n" + type + "\n" + payload bytes: the type is bound into the
// signed message, so a signature over a key certificate can never be replayed as a signature over
// a bundle. Payload bytes are verified before anything parses them.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/ed25519.hpp"
#include "core/common/result.hpp"

namespace gw::policy {

inline constexpr std::string_view k_type_bundle = "gw.policy-bundle";
inline constexpr std::string_view k_type_key_cert = "gw.signing-key";
inline constexpr std::string_view k_type_revocations = "gw.revocations";

struct Signature {
  std::string key_id;
  std::string sig;  // 64 raw bytes
};

struct SignedDoc {
  std::string type;
  std::string payload;  // exact signed bytes (decoded)
  std::vector<Signature> signatures;
};

// The exact message a signature covers.
std::string signed_message(std::string_view type, std::string_view payload);

// Adds a signature by `key` (which must hold a private key).
Status add_signature(SignedDoc& doc, const Ed25519Key& key);

// True when `sig` is a valid signature of doc by `key` (the key id must match too).
bool signature_valid(const SignedDoc& doc, const Signature& sig, const Ed25519Key& key);

nlohmann::json to_json(const SignedDoc& doc);
// Reads the envelope fields of a JSON object (type, payload, signatures). Errors name the field;
// `what` prefixes them (e.g. "bundle" or "certs[2]").
Result<SignedDoc> signed_doc_from_json(const nlohmann::json& j, std::string_view what);

}  // namespace gw::policy
