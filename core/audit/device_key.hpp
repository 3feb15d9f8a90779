#pragma once
// The device's Ed25519 signing key, used to sign audit checkpoints. DeviceKeyStore hides where the
// private key lives: today a 0600 file in the state dir (FileDeviceKeyStore); later the OS keychain.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/ed25519.hpp"
#include "core/common/result.hpp"

namespace gw::audit {

// The device key is an Ed25519 key pair (or a public key only, for verification).
using DeviceKey = Ed25519Key;

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
