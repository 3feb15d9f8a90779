#pragma once
// Where gw keeps its secrets on a developer machine: provider API keys (`gw keys set`), the
// device's Ed25519 signing key and the central login token. One SecretStore per process, chosen
// once by open_secret_store():
//   secret-service  the freedesktop Secret Service over D-Bus (GNOME Keyring, KWallet) via libsecret
//   keychain        the macOS login Keychain (Security framework; compiled only on Apple)
//   file            a 0600 JSON file in a 0700 dir of the state dir: the fallback on a headless
//                   Linux without a Secret Service. Insecure against anyone who can read the
//                   user's files, so `gw status`, `gw doctor` and audit events say when it is used.
// Item names: 1..128 chars of [A-Za-z0-9._/@-]. Names starting with "gw." are gw's own items
// (device key, login token); `gw keys` refuses and hides them.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/paths.hpp"
#include "core/common/result.hpp"

namespace gw::secrets {

enum class Backend { secret_service, keychain, file };
// "secret-service" | "keychain" | "file"
std::string_view to_string(Backend backend);
// True for the backends that keep secrets encrypted at rest behind the user's login.
inline bool is_secure(Backend backend) { return backend != Backend::file; }

inline constexpr std::string_view k_device_key_item = "gw.device-key";
inline constexpr std::string_view k_login_token_item = "gw.login-token";

// Ok when `name` is a valid item name; the error says what is allowed.
Status check_item_name(std::string_view name);
inline bool is_internal_item(std::string_view name) { return name.starts_with("gw."); }

class SecretStore {
public:
  virtual ~SecretStore() = default;
  virtual Backend backend() const = 0;
  // Where the secrets are, for messages ("GNOME Keyring via Secret Service", a file path).
  virtual std::string location() const = 0;
  // The secret stored under `name`, nullopt when there is none. Errors: the store cannot be
  // reached or read (message says what to do), never the secret itself.
  virtual Result<std::optional<std::string>> get(std::string_view name) = 0;
  // Stores (or replaces) the secret under `name`.
  virtual Status set(std::string_view name, std::string_view secret) = 0;
  // Removes `name`; true when it existed.
  virtual Result<bool> remove(std::string_view name) = 0;
  // Every item name in the store (gw's own items included), sorted.
  virtual Result<std::vector<std::string>> list() = 0;
};

// The file backend: `<dir>/credentials.json` (0600) in `dir` (0700, created on first write).
std::unique_ptr<SecretStore> make_file_store(std::filesystem::path dir);
// The Secret Service backend, or Errc::unavailable when this build has no libsecret or no
// Secret Service answers on the session bus (message says why).
Result<std::unique_ptr<SecretStore>> make_secret_service_store();
// The macOS Keychain backend, or Errc::unavailable on other systems.
Result<std::unique_ptr<SecretStore>> make_keychain_store();

// Picks the backend: $GW_SECRET_BACKEND when set ("secret-service", "keychain", "file";
// "auto" or unset: the OS store when it answers, else the file under <state_dir>/secrets).
// A backend named explicitly that cannot be reached is an error, never a silent fallback.
Result<std::unique_ptr<SecretStore>> open_secret_store(const Paths& paths);

}  // namespace gw::secrets
