#pragma once
// The device's Ed25519 signing key, used to sign audit checkpoints. DeviceKeyStore hides where the
// private key lives: today a 0600 file in the state dir (FileDeviceKeyStore); later the OS keychain.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/result.hpp"

namespace gw::audit {

// An Ed25519 key pair (or a public key only, for verification). Thread-safe for sign/verify.
class DeviceKey {
public:
  // From a 32-byte raw private seed / a 32-byte raw public key.
  static Result<DeviceKey> from_private(std::string_view seed32);
  static Result<DeviceKey> from_public(std::string_view pub32);
  static DeviceKey generate();

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

private:
  std::string m_seed;    // raw private seed, empty for a public-only key
  std::string m_public;  // raw public key
};

class DeviceKeyStore {
public:
  virtual ~DeviceKeyStore() = default;
  // Returns the device key, creating and persisting one on first use. Called once when the spool
  // opens. Errors are user-facing (path, permission problem).
  virtual Result<DeviceKey> load_or_create() = 0;
  // Returns the public half only (for `gw audit verify`), without creating a key.
  virtual Result<DeviceKey> load_public() = 0;
};

// Private seed in `<dir>/device_key` (0600, hex), public key in `<dir>/device_key.pub` (hex).
// Refuses a private key file that group or others can read.
class FileDeviceKeyStore final : public DeviceKeyStore {
public:
  explicit FileDeviceKeyStore(std::filesystem::path dir) : m_dir(std::move(dir)) {}
  Result<DeviceKey> load_or_create() override;
  Result<DeviceKey> load_public() override;

private:
  std::filesystem::path m_dir;
};

}  // namespace gw::audit
