#pragma once
// The device's Ed25519 key and the central login token, kept in the secret store (the OS
// keychain) next to the provider keys. The key is the item k_device_key_item (hex of the 32-byte
// private seed); the public half is derived from it.
#include <memory>
#include <optional>
#include <string>

#include "core/audit/device_key.hpp"
#include "core/secrets/secret_store.hpp"

namespace gw::secrets {

class StoreDeviceKeyStore final : public audit::DeviceKeyStore {
public:
  explicit StoreDeviceKeyStore(std::shared_ptr<SecretStore> store) : m_store(std::move(store)) {}
  // Loads the key, or generates one and stores it on first use.
  Result<audit::DeviceKey> load_or_create() override;
  // The public half; Errc::not_found when no device key was created yet.
  Result<audit::DeviceKey> load_public() override;

private:
  std::shared_ptr<SecretStore> m_store;
};

// The central gateway login token (`gw login`): nullopt when not logged in.
Result<std::optional<std::string>> load_login_token(SecretStore& store);
Status save_login_token(SecretStore& store, std::string_view token);
// True when a token was removed.
Result<bool> clear_login_token(SecretStore& store);

}  // namespace gw::secrets
