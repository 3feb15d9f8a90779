#pragma once
// Resolves the real provider key from a policy credential source:
//   env       the sidecar's own environment variable; when it is unset, the secret store item
//             named after the provider (so `gw keys set anthropic` works with the built-in policy)
//   file      the first line of a file that group/others cannot read
//   keychain  the secret store item of that name (`gw keys set NAME`)
// Store lookups are cached for k_cache_ms so a request does not cost a D-Bus round trip; a key
// changed with `gw keys set` is used within that time (or at once after `gw agent stop`).
#include <chrono>
#include <map>
#include <memory>
#include <mutex>

#include "core/secrets/secret_store.hpp"
#include "core/stages/services.hpp"

namespace gw::secrets {

class ProviderKeys final : public stages::CredentialResolver {
public:
  static constexpr int64_t k_cache_ms = 30'000;
  // `store` may be null: keychain sources then fail with a message saying why (`store_error`).
  explicit ProviderKeys(std::shared_ptr<SecretStore> store = nullptr, std::string store_error = {})
      : m_store(std::move(store)), m_store_error(std::move(store_error)) {}
  Result<std::string> key_for(const config::ProviderConfig& provider) const override;
  std::string_view store_backend() const override;
  // env: "env" when the variable is set, else the store backend (key_for falls back to it);
  // file: "key-file"; keychain: the store backend; none: "".
  std::string_view source_for(const config::ProviderConfig& provider) const override;

private:
  Result<std::optional<std::string>> from_store(const std::string& name) const;

  std::shared_ptr<SecretStore> m_store;
  std::string m_store_error;
  struct Cached {
    std::string value;
    std::chrono::steady_clock::time_point at;
  };
  mutable std::mutex m_mutex;
  mutable std::map<std::string, Cached> m_cache;
};

}  // namespace gw::secrets
