#include "core/secrets/device_key_store.hpp"

#include "core/common/crypto.hpp"

namespace gw::secrets {

namespace {

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

Result<std::optional<audit::DeviceKey>> load(SecretStore& store) {
  GW_TRY(item, store.get(k_device_key_item));
  if (!item) return std::optional<audit::DeviceKey>{};
  auto seed = from_hex(*item);
  if (!seed || seed->size() != 32)
    return fail(Errc::config, "the device key in " + store.location() + " (item " + std::string(k_device_key_item) +
                                  ") is damaged; remove it with your keychain tool so gw creates a new one");
  GW_TRY(key, audit::DeviceKey::from_private(*seed));
  return std::optional<audit::DeviceKey>(std::move(key));
}

}  // namespace

Result<audit::DeviceKey> StoreDeviceKeyStore::load_or_create() {
  GW_TRY(existing, load(*m_store));
  if (existing) return std::move(*existing);
  auto key = audit::DeviceKey::generate();
  GW_CHECK(m_store->set(k_device_key_item, to_hex(key.private_raw())));
  return key;
}

Result<audit::DeviceKey> StoreDeviceKeyStore::load_public() {
  GW_TRY(existing, load(*m_store));
  if (!existing) return fail(Errc::not_found, "this device has no signing key yet in " + m_store->location() +
                                                  " (gw creates it when the sidecar first writes audit)");
  return audit::DeviceKey::from_public(existing->public_raw());
}

Result<std::optional<std::string>> load_login_token(SecretStore& store) { return store.get(k_login_token_item); }

Status save_login_token(SecretStore& store, std::string_view token) {
  if (token.empty()) return fail(Errc::invalid_argument, "the login token is empty");
  return store.set(k_login_token_item, token);
}

Result<bool> clear_login_token(SecretStore& store) { return store.remove(k_login_token_item); }

}  // namespace gw::secrets
