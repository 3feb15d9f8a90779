#include "cli/commands/store_notice.hpp"

#include "core/secrets/secret_store.hpp"

namespace gw::cli {

std::optional<std::string> insecure_store_warning(const Paths& paths) {
  auto store = secrets::open_secret_store(paths);
  if (!store || secrets::is_secure((*store)->backend())) return std::nullopt;
  return "provider keys and the device key are kept in a plain file, " + (*store)->location() +
         " (mode 0600), because no Secret Service answers on this machine; install and unlock a keyring "
         "(gnome-keyring) to keep them encrypted, then store the provider keys again with `gw keys set` "
         "(the device key moves by itself at the next sidecar start: see docs/install.md)";
}

}  // namespace gw::cli
