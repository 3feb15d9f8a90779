#include "core/secrets/secret_store.hpp"

#include <cstdlib>

namespace gw::secrets {

std::string_view to_string(Backend backend) {
  switch (backend) {
    case Backend::secret_service: return "secret-service";
    case Backend::keychain: return "keychain";
    case Backend::file: return "file";
  }
  return "unknown";
}

Status check_item_name(std::string_view name) {
  if (name.empty() || name.size() > 128)
    return fail(Errc::invalid_argument, "a key name must be 1 to 128 characters long (e.g. anthropic)");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-' || c == '/' || c == '@';
    if (!ok)
      return fail(Errc::invalid_argument, "key name '" + std::string(name) +
                                              "' may contain only letters, digits and . _ - / @ (e.g. anthropic)");
  }
  return {};
}

Result<std::unique_ptr<SecretStore>> open_secret_store(const Paths& paths) {
  std::string want;
  if (const char* v = std::getenv("GW_SECRET_BACKEND")) want = v;
  auto file_dir = paths.state_dir / "secrets";
  if (want == "file") return make_file_store(file_dir);
  if (want == "secret-service") return make_secret_service_store();
  if (want == "keychain") return make_keychain_store();
  if (!want.empty() && want != "auto")
    return fail(Errc::config, "GW_SECRET_BACKEND='" + want + "' is not one of auto, secret-service, keychain, file");
#ifdef __APPLE__
  return make_keychain_store();
#else
  if (auto s = make_secret_service_store()) return s;
  return make_file_store(file_dir);
#endif
}

}  // namespace gw::secrets
