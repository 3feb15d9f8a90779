// The Secret Service backend (libsecret): items of gw's own schema "dev.gw.Secret" with one
// attribute, "name", in the user's default collection (the login keyring).
#include "core/secrets/secret_store.hpp"

#ifdef GW_HAVE_LIBSECRET
#include <libsecret/secret.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#endif

namespace gw::secrets {

#ifdef GW_HAVE_LIBSECRET
namespace {

const SecretSchema* schema() {
  static const SecretSchema s = [] {
    SecretSchema v{};
    v.name = "dev.gw.Secret";
    v.flags = SECRET_SCHEMA_NONE;
    v.attributes[0] = {"name", SECRET_SCHEMA_ATTRIBUTE_STRING};
    return v;
  }();
  return &s;
}

// Takes ownership of a GError and turns it into a message; frees it.
std::string take_message(GError* err) {
  std::string m = err && err->message ? err->message : "unknown error";
  if (err) g_error_free(err);
  return m;
}

const char* k_fix = "unlock your keyring (log in to the desktop session, or run gnome-keyring-daemon --unlock), "
                    "or use the file store with GW_SECRET_BACKEND=file";

class SecretServiceStore final : public SecretStore {
public:
  Backend backend() const override { return Backend::secret_service; }
  std::string location() const override { return "the Secret Service (login keyring)"; }

  Result<std::optional<std::string>> get(std::string_view name) override {
    std::string n(name);
    GError* err = nullptr;
    gchar* pw = secret_password_lookup_sync(schema(), nullptr, &err, "name", n.c_str(), nullptr);
    if (err) return fail(Errc::unavailable, "cannot read '" + n + "' from the Secret Service: " + take_message(err) + "; " + k_fix);
    if (!pw) return std::optional<std::string>{};
    std::string out(pw);
    secret_password_free(pw);
    return std::optional<std::string>(std::move(out));
  }

  Status set(std::string_view name, std::string_view secret) override {
    GW_CHECK(check_item_name(name));
    std::string n(name), s(secret), label = "gw: " + n;
    GError* err = nullptr;
    gboolean ok = secret_password_store_sync(schema(), SECRET_COLLECTION_DEFAULT, label.c_str(), s.c_str(), nullptr,
                                             &err, "name", n.c_str(), nullptr);
    std::fill(s.begin(), s.end(), '\0');
    if (!ok) return fail(Errc::unavailable, "cannot store '" + n + "' in the Secret Service: " + take_message(err) + "; " + k_fix);
    return {};
  }

  Result<bool> remove(std::string_view name) override {
    std::string n(name);
    GError* err = nullptr;
    gboolean removed = secret_password_clear_sync(schema(), nullptr, &err, "name", n.c_str(), nullptr);
    if (err) return fail(Errc::unavailable, "cannot remove '" + n + "' from the Secret Service: " + take_message(err) + "; " + k_fix);
    return removed != FALSE;
  }

  Result<std::vector<std::string>> list() override {
    GError* err = nullptr;
    GList* items = secret_password_search_sync(schema(), SECRET_SEARCH_ALL, nullptr, &err, nullptr);
    if (err) return fail(Errc::unavailable, "cannot list the Secret Service: " + take_message(err) + "; " + k_fix);
    std::vector<std::string> names;
    for (GList* l = items; l; l = l->next) {
      GHashTable* attrs = secret_retrievable_get_attributes(SECRET_RETRIEVABLE(l->data));
      if (!attrs) continue;
      if (auto* v = static_cast<const char*>(g_hash_table_lookup(attrs, "name"))) names.emplace_back(v);
      g_hash_table_unref(attrs);
    }
    g_list_free_full(items, g_object_unref);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  }
};

// No session bus means no Secret Service; checked first so that GLib does not try to autolaunch
// a bus (it would need X11) or wait for one.
bool have_session_bus() {
  if (const char* a = std::getenv("DBUS_SESSION_BUS_ADDRESS"); a && *a) return true;
  const char* rt = std::getenv("XDG_RUNTIME_DIR");
  std::error_code ec;
  return rt && *rt && std::filesystem::exists(std::filesystem::path(rt) / "bus", ec);
}

}  // namespace

Result<std::unique_ptr<SecretStore>> make_secret_service_store() {
  if (!have_session_bus())
    return fail(Errc::unavailable, "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset), so no Secret Service");
  // A lookup of an item that need not exist: proves a Secret Service answers (D-Bus activation
  // included) without creating anything.
  GError* err = nullptr;
  gchar* pw = secret_password_lookup_sync(schema(), nullptr, &err, "name", "gw.probe", nullptr);
  if (pw) secret_password_free(pw);
  if (err) return fail(Errc::unavailable, "no Secret Service answers on the session bus: " + take_message(err));
  return std::unique_ptr<SecretStore>(std::make_unique<SecretServiceStore>());
}

#else

Result<std::unique_ptr<SecretStore>> make_secret_service_store() {
  return fail(Errc::unavailable, "this gw was built without libsecret (install libsecret-1-dev and rebuild)");
}

#endif

}  // namespace gw::secrets
