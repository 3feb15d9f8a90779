#include "server/device_auth.hpp"

#include "core/common/crypto.hpp"
#include "core/common/time_format.hpp"

namespace gw::server {

std::expected<DeviceCaller, DeviceAuthError> DeviceAuth::authenticate(const std::string& authorization) const {
  auto unknown = [] {
    return std::unexpected(DeviceAuthError{
        401, "unauthorized",
        "missing or unknown credential (Authorization: Bearer ...): log in with `gw login --server URL` using the key "
        "your gw administrator issued (gw admin keys create), or configure an enrollment token from [enrollment.tokens] "
        "of server.toml",
        std::nullopt});
  };
  if (!authorization.starts_with("Bearer ") || authorization.size() <= 7) return unknown();
  std::string hash = "sha256:" + sha256_hex(std::string_view(authorization).substr(7));
  std::string found;
  for (const auto& t : m_tokens)
    if (constant_time_equal(hash, t.secret_hash) && found.empty()) found = t.id;
  if (!found.empty()) return DeviceCaller{DeviceCaller::Kind::enrollment_token, found, std::nullopt};
  if (!m_lookup) return unknown();
  auto rec = m_lookup(hash);
  if (!rec)
    return std::unexpected(DeviceAuthError{503, "store_unavailable",
                                           "the central key directory could not be read; retry later", std::nullopt});
  if (!*rec) return unknown();
  const config::CentralKeyRecord& k = **rec;
  if (k.revoked || !k.enabled) {
    std::string msg = config::central_key_refusal(k, "");
    if (msg.starts_with("gw: ")) msg.erase(0, 4);
    return std::unexpected(DeviceAuthError{403, k.revoked ? "key_revoked" : "key_disabled", msg, k});
  }
  if (k.expires_at_ms && m_clock.now_ms() >= *k.expires_at_ms)
    return std::unexpected(DeviceAuthError{
        403, "key_expired",
        "central key '" + k.id + "' expired at " + utc_time(*k.expires_at_ms / 1000, "%Y-%m-%d %H:%M UTC") +
            "; ask your gw administrator for a new key, then run gw login again",
        k});
  return DeviceCaller{DeviceCaller::Kind::central_key, k.id, k};
}

}  // namespace gw::server
