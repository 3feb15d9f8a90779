#pragma once
// Who may use the device routes of the central gateway (audit ingest, policy bundle, leases,
// /v1/keys/self): one function for all of them (ADR 0049). A device presents
// `Authorization: Bearer <secret>`, either
//   - an enrollment token configured in server.toml ([enrollment.tokens]; headless fleets), or
//   - an active central key from the key directory (`gw admin keys create`, `gw login`).
// Enrollment tokens are compared in constant time against every configured hash, with no early
// exit. A central key is looked up by the SHA-256 of the secret (a lookup by hash reveals
// nothing usable about a secret). A revoked, disabled or expired key gets 403 with the reason;
// an unknown secret 401.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/config/central_key.hpp"
#include "server/server_config.hpp"

namespace gw::server {

struct DeviceCaller {
  enum class Kind { enrollment_token, central_key } kind = Kind::enrollment_token;
  std::string id;  // the enrollment token's id, or the central key's id
  std::optional<config::CentralKeyRecord> key;  // for a central key
  // How the caller is recorded (e.g. a device's enrollment): "token:<id>" or "key:<id>".
  std::string label() const { return (kind == Kind::central_key ? "key:" : "token:") + id; }
};

struct DeviceAuthError {
  int status = 401;  // 401 unknown/missing, 403 revoked/disabled/expired, 503 directory down
  std::string code;  // "unauthorized", "key_revoked", "key_disabled", "key_expired", "store_unavailable"
  std::string message;
  std::optional<config::CentralKeyRecord> key;  // for 403: the key's record
};

// Finds the central key whose secret hashes to `secret_hash` ("sha256:<64 hex>"); nullopt when
// none. Errors: the directory cannot be read.
using CentralKeyLookup = std::function<Result<std::optional<config::CentralKeyRecord>>(const std::string& secret_hash)>;

class DeviceAuth {
public:
  // tokens and clock must outlive this object; lookup may be empty (no key directory).
  DeviceAuth(const std::vector<EnrollmentToken>& tokens, CentralKeyLookup lookup, const Clock& clock)
      : m_tokens(tokens), m_lookup(std::move(lookup)), m_clock(clock) {}
  // `authorization` is the request's Authorization header.
  std::expected<DeviceCaller, DeviceAuthError> authenticate(const std::string& authorization) const;

private:
  const std::vector<EnrollmentToken>& m_tokens;
  CentralKeyLookup m_lookup;
  const Clock& m_clock;
};

}  // namespace gw::server
