// The Secret Service backend against a real GNOME Keyring. These cases are skipped in the plain
// unit run (no keyring there); the `secret_service` ctest runs them through with_keyring.sh:
//   with_keyring.sh unit_secrets --no-skip --test-suite=secret_service
#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "core/common/crypto.hpp"
#include "core/secrets/device_key_store.hpp"
#include "core/secrets/provider_keys.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw;

namespace {

Paths paths_in(const std::filesystem::path& root) { return Paths{root / "config", root / "state", root / "state" / "run"}; }

std::shared_ptr<secrets::SecretStore> open_keyring(const Paths& paths) {
  ::setenv("GW_SECRET_BACKEND", "auto", 1);
  auto s = secrets::open_secret_store(paths);
  REQUIRE_MESSAGE(s, (s ? "" : s.error().message));
  REQUIRE_MESSAGE((*s)->backend() == secrets::Backend::secret_service,
                  "auto did not pick the Secret Service: is this running under with_keyring.sh?");
  return std::shared_ptr<secrets::SecretStore>(std::move(*s));
}

// What `secret-tool lookup name NAME` (libsecret-tools, a separate client) finds, or nullopt.
std::optional<std::string> secret_tool_lookup(const std::string& name) {
  std::string cmd = "secret-tool lookup name '" + name + "' 2>/dev/null";
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return std::nullopt;
  std::string out;
  std::array<char, 256> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  int rc = ::pclose(f);
  if (rc != 0) return std::nullopt;
  return out;
}

}  // namespace

TEST_SUITE("secret_service" * doctest::skip()) {

TEST_CASE("SecretService: keys are stored in the real keyring, listed, replaced and removed") {
  test::TempDir tmp;
  auto paths = paths_in(tmp.path());
  auto store = open_keyring(paths);
  REQUIRE(store->set("anthropic", "sk-ant-keyring-1"));
  REQUIRE(store->set("openai", "sk-proj-keyring-1"));
  CHECK(**store->get("anthropic") == "sk-ant-keyring-1");
  auto names = store->list();
  REQUIRE(names);
  CHECK(std::find(names->begin(), names->end(), "anthropic") != names->end());
  CHECK(std::find(names->begin(), names->end(), "openai") != names->end());

  // Another client of the same Secret Service sees the item: it really is in the keyring.
  if (std::system("command -v secret-tool >/dev/null") == 0) CHECK(secret_tool_lookup("anthropic") == "sk-ant-keyring-1");
  // And nothing was written to the file fallback.
  CHECK_FALSE(std::filesystem::exists(paths.state_dir / "secrets" / "credentials.json"));

  REQUIRE(store->set("anthropic", "sk-ant-keyring-2"));
  CHECK(**store->get("anthropic") == "sk-ant-keyring-2");
  CHECK(*store->remove("anthropic"));
  CHECK_FALSE(*store->remove("anthropic"));
  CHECK_FALSE(store->get("anthropic")->has_value());
  CHECK(*store->remove("openai"));
}

TEST_CASE("SecretService: the sidecar's resolver reads a keychain credential from the keyring") {
  test::TempDir tmp;
  auto store = open_keyring(paths_in(tmp.path()));
  REQUIRE(store->set("team/anthropic", "sk-ant-from-keyring"));
  secrets::ProviderKeys keys(store);
  CHECK(keys.store_backend() == "secret-service");
  config::ProviderConfig p;
  p.id = "anthropic";
  p.credential = {config::CredentialSource::Kind::keychain, "team/anthropic"};
  CHECK(*keys.key_for(p) == "sk-ant-from-keyring");
  CHECK(*store->remove("team/anthropic"));
}

TEST_CASE("SecretService: the device key and login token live in the keyring") {
  test::TempDir tmp;
  auto store = open_keyring(paths_in(tmp.path()));
  secrets::StoreDeviceKeyStore dks(store);
  auto key = dks.load_or_create();
  REQUIRE(key);
  auto pub = secrets::StoreDeviceKeyStore(store).load_public();
  REQUIRE(pub);
  CHECK(pub->key_id() == key->key_id());
  REQUIRE(secrets::save_login_token(*store, "gwt_keyring"));
  CHECK(**secrets::load_login_token(*store) == "gwt_keyring");
  CHECK(*secrets::clear_login_token(*store));
  CHECK(*store->remove(secrets::k_device_key_item));
}

TEST_CASE("SecretService: a legacy device_key file moves into the keyring; device_key.pub stays") {
  test::TempDir tmp;
  auto paths = paths_in(tmp.path());
  auto legacy = audit::FileDeviceKeyStore(paths.state_dir).load_or_create();
  REQUIRE(legacy);
  auto store = open_keyring(paths);
  secrets::StoreDeviceKeyStore dks(store, paths.state_dir);
  auto key = dks.load_or_create();
  REQUIRE_MESSAGE(key, (key ? "" : key.error().message));
  CHECK(key->key_id() == legacy->key_id());
  CHECK(dks.backend() == "secret-service");
  CHECK_FALSE(std::filesystem::exists(paths.state_dir / "device_key"));
  if (std::system("command -v secret-tool >/dev/null") == 0)
    CHECK(secret_tool_lookup(std::string(secrets::k_device_key_item)) == to_hex(legacy->private_raw()));
  auto pub = audit::FileDeviceKeyStore(paths.state_dir).load_public();
  REQUIRE(pub);
  CHECK(pub->key_id() == legacy->key_id());
  CHECK(*store->remove(secrets::k_device_key_item));
}

}  // TEST_SUITE
