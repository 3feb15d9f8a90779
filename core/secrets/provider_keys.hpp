#pragma once
// Resolves the real provider key from a policy credential source: an environment variable of the
// sidecar's own process or a file (first line; it must not be group/world readable). The
// keychain source is served by the keychain adapter when available.
#include "core/stages/services.hpp"

namespace gw::secrets {

class ProviderKeys final : public stages::CredentialResolver {
public:
  Result<std::string> key_for(const config::ProviderConfig& provider) const override;
};

}  // namespace gw::secrets
