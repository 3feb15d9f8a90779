#pragma once
// The device's Ed25519 signing key, used to sign audit checkpoints. DeviceKeyStore hides where the
// private key lives: the OS credential store (secrets::StoreDeviceKeyStore, what the sidecar uses)
// or a 0600 file in the state dir (FileDeviceKeyStore: older gw versions, tests, and the public
// half that `gw audit verify` reads).
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
  // Where the private key is kept, for audit events: "secret-service", "keychain" or "file"
  // (empty: unknown). Valid after load_or_create() succeeded.
  virtual std::string_view backend() const { return {}; }
};

// Private seed in `<dir>/device_key` (0600, hex), public key in `<dir>/device_key.pub` (hex).
// Refuses a private key file that group or others can read.
class FileDeviceKeyStore final : public DeviceKeyStore {
public:
  explicit FileDeviceKeyStore(std::filesystem::path dir) : m_dir(std::move(dir)) {}
  Result<DeviceKey> load_or_create() override;
  Result<DeviceKey> load_public() override;
  std::string_view backend() const override { return "file"; }

private:
  std::filesystem::path m_dir;
};

// The private key file FileDeviceKeyStore keeps in `dir` (older gw versions kept the sidecar's key
// there; secrets::StoreDeviceKeyStore moves it into the credential store).
inline std::filesystem::path device_key_file(const std::filesystem::path& dir) { return dir / "device_key"; }
// Writes `<dir>/device_key.pub` (hex, 0644), the public key `gw audit verify` reads, unless it
// already holds this key. Creates `dir` when missing.
Status save_device_public_key(const std::filesystem::path& dir, const DeviceKey& key);

}  // namespace gw::audit
