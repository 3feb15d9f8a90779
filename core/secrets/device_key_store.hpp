#pragma once
// The device's Ed25519 key and the central login token, kept in the secret store (the OS
// keychain) next to the provider keys. The key is the item k_device_key_item (hex of the 32-byte
// private seed); the public half is derived from it.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/audit/central_config.hpp"
#include "core/audit/device_key.hpp"
#include "core/secrets/secret_store.hpp"

namespace gw::secrets {

// The sidecar's device key store (ADR 0056). With a `state_dir`:
//  * a key an older gw left in `<state_dir>/device_key` is moved into the store on the first
//    load_or_create(): the file is removed only after the store returned the very same key;
//  * `<state_dir>/device_key.pub` is kept current, so `gw audit verify` and the central
//    enrollment find the public key where they always did.
// When the move cannot happen (the store refuses the write, or already holds a DIFFERENT key),
// the file key stays in use, so the spool's chain keeps one signer, and backend() says "file".
class StoreDeviceKeyStore final : public audit::DeviceKeyStore {
public:
  explicit StoreDeviceKeyStore(std::shared_ptr<SecretStore> store, std::filesystem::path state_dir = {})
      : m_store(std::move(store)), m_state_dir(std::move(state_dir)) {}
  // Loads the key, or generates one and stores it on first use (migrating a legacy file first).
  Result<audit::DeviceKey> load_or_create() override;
  // The public half; Errc::not_found when no device key was created yet.
  Result<audit::DeviceKey> load_public() override;
  // The store's backend, or "file" when the legacy key file is still the one in use.
  std::string_view backend() const override;
  // What the last load_or_create() did with a legacy key file, for the log ("" when nothing).
  const std::string& migration_note() const { return m_note; }

private:
  Result<audit::DeviceKey> migrate(const std::filesystem::path& legacy);

  std::shared_ptr<SecretStore> m_store;
  std::filesystem::path m_state_dir;
  bool m_using_file = false;
  std::string m_note;
};

// The central gateway login token (`gw login`): nullopt when not logged in.
Result<std::optional<std::string>> load_login_token(SecretStore& store);
Status save_login_token(SecretStore& store, std::string_view token);
// True when a token was removed.
Result<bool> clear_login_token(SecretStore& store);
// For audit::load_central_config in short-lived commands (gw doctor, gw status): opens the
// secret store for `paths` on each call and reads the login token.
audit::LoginTokenReader login_token_reader(const Paths& paths);

}  // namespace gw::secrets
