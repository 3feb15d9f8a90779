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

bool same_key(const audit::DeviceKey& a, const audit::DeviceKey& b) { return a.public_raw() == b.public_raw(); }

}  // namespace

Result<audit::DeviceKey> StoreDeviceKeyStore::migrate(const std::filesystem::path& legacy) {
  // The legacy loader checks the file's permissions and format, and never creates a key here
  // because the file exists.
  GW_TRY(file_key, audit::FileDeviceKeyStore(m_state_dir).load_or_create());
  auto stored = load(*m_store);
  if (stored && *stored && !same_key(**stored, file_key)) {
    m_using_file = true;
    m_note = "the credential store already holds a different device key than " + legacy.string() +
             "; gw keeps signing with the file's key (the one this spool and the central gateway know). "
             "Remove one of them deliberately (see docs/install.md) to end the conflict";
    return file_key;
  }
  if (stored && !*stored) {
    if (auto st = m_store->set(k_device_key_item, to_hex(file_key.private_raw())); !st) {
      m_using_file = true;
      m_note = "could not move " + legacy.string() + " into " + m_store->location() + " (" + st.error().message +
               "); gw keeps using the file and retries at the next start";
      return file_key;
    }
    stored = load(*m_store);  // read back: the file goes only once the store has the same key
  }
  if (!stored || !*stored || !same_key(**stored, file_key)) {
    m_using_file = true;
    m_note = "the credential store " + m_store->location() + " did not return the device key just written (" +
             (stored ? std::string("not found or different") : stored.error().message) + "); gw keeps using " +
             legacy.string();
    return file_key;
  }
  std::error_code ec;
  std::filesystem::remove(legacy, ec);
  if (ec) {
    m_note = "moved the device key into " + m_store->location() + " but could not remove " + legacy.string() + ": " +
             ec.message() + "; remove it by hand";
  } else {
    m_note = "moved the device key from " + legacy.string() + " into " + m_store->location();
  }
  return file_key;
}

Result<audit::DeviceKey> StoreDeviceKeyStore::load_or_create() {
  m_using_file = false;
  m_note.clear();
  std::optional<audit::DeviceKey> key;
  if (!m_state_dir.empty()) {
    auto legacy = audit::device_key_file(m_state_dir);
    std::error_code ec;
    if (std::filesystem::exists(legacy, ec)) {
      GW_TRY(migrated, migrate(legacy));
      key = std::move(migrated);
    }
  }
  if (!key) {
    GW_TRY(existing, load(*m_store));
    if (existing) {
      key = std::move(*existing);
    } else {
      auto fresh = audit::DeviceKey::generate();
      GW_CHECK(m_store->set(k_device_key_item, to_hex(fresh.private_raw())));
      key = std::move(fresh);
    }
  }
  if (!m_state_dir.empty()) GW_CHECK(audit::save_device_public_key(m_state_dir, *key));
  return std::move(*key);
}

std::string_view StoreDeviceKeyStore::backend() const { return m_using_file ? "file" : to_string(m_store->backend()); }

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

audit::LoginTokenReader login_token_reader(const Paths& paths) {
  return [paths]() -> Result<std::optional<std::string>> {
    GW_TRY(store, open_secret_store(paths));
    return load_login_token(*store);
  };
}

}  // namespace gw::secrets
