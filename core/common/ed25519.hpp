#pragma once
// Ed25519 keys over OpenSSL: audit checkpoints (the device key), policy bundles (root and signing
// keys). Keys are immutable values; sign/verify are thread-safe.
#include <string>
#include <string_view>

#include "core/common/result.hpp"

namespace gw {

class Ed25519Key {
public:
  // From a 32-byte raw private seed / a 32-byte raw public key.
  static Result<Ed25519Key> from_private(std::string_view seed32);
  static Result<Ed25519Key> from_public(std::string_view pub32);
  static Ed25519Key generate();
  // From PEM text ("-----BEGIN PRIVATE KEY-----" PKCS#8, or "-----BEGIN PUBLIC KEY-----" SPKI), as
  // written by to_private_pem/to_public_pem or `openssl genpkey -algorithm ed25519`. `what` names
  // the source in errors (e.g. the file name).
  static Result<Ed25519Key> from_pem(std::string_view pem, std::string_view what);

  bool has_private() const { return !m_seed.empty(); }
  const std::string& public_raw() const { return m_public; }  // 32 bytes
  // The raw private seed, for a key store persisting it; never log it.
  const std::string& private_raw() const { return m_seed; }
  // Short stable id of the public key: first 16 hex chars of sha256(public key).
  std::string key_id() const;
  // 64-byte Ed25519 signature of msg. Requires has_private().
  Result<std::string> sign(std::string_view msg) const;
  // True when sig is a valid signature of msg by this public key.
  bool verify(std::string_view msg, std::string_view sig) const;
  std::string to_public_pem() const;
  // Requires has_private().
  std::string to_private_pem() const;

private:
  std::string m_seed;    // raw private seed, empty for a public-only key
  std::string m_public;  // raw public key
};

}  // namespace gw
