#include <doctest/doctest.h>

#include <cstdlib>

#include "core/secrets/device_key_store.hpp"
#include "core/secrets/provider_keys.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw;
using Kind = config::CredentialSource::Kind;

namespace {
config::ProviderConfig provider(std::string id, Kind kind, std::string name) {
  config::ProviderConfig p;
  p.id = std::move(id);
  p.credential = {kind, std::move(name)};
  return p;
}
}  // namespace

TEST_CASE("ProviderKeys: a keychain source reads the store item; a missing item says `gw keys set`") {
  test::TempDir tmp;
  std::shared_ptr<secrets::SecretStore> store = secrets::make_file_store(tmp.path() / "s");
  secrets::ProviderKeys keys(store);
  CHECK(keys.store_backend() == "file");
  auto p = provider("anthropic", Kind::keychain, "work/anthropic");
  auto missing = keys.key_for(p);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("gw keys set work/anthropic") != std::string::npos);
  REQUIRE(store->set("work/anthropic", "sk-ant-stored"));
  CHECK(*keys.key_for(p) == "sk-ant-stored");
}

TEST_CASE("ProviderKeys: an env source whose variable is unset falls back to the item named after the provider") {
  test::TempDir tmp;
  std::shared_ptr<secrets::SecretStore> store = secrets::make_file_store(tmp.path() / "s");
  secrets::ProviderKeys keys(store);
  ::unsetenv("GW_TEST_UNSET_KEY_VAR");
  auto p = provider("openai", Kind::env, "GW_TEST_UNSET_KEY_VAR");
  auto missing = keys.key_for(p);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("gw keys set openai") != std::string::npos);
  CHECK(missing.error().message.find("GW_TEST_UNSET_KEY_VAR") != std::string::npos);
  REQUIRE(store->set("openai", "sk-proj-stored"));
  CHECK(*keys.key_for(p) == "sk-proj-stored");
  ::setenv("GW_TEST_UNSET_KEY_VAR", "sk-proj-env", 1);
  CHECK(*keys.key_for(p) == "sk-proj-env");  // the environment wins
  ::unsetenv("GW_TEST_UNSET_KEY_VAR");
}

TEST_CASE("ProviderKeys: without a store, keychain sources fail with the reason the store is missing") {
  secrets::ProviderKeys keys(nullptr, "GW_SECRET_BACKEND='vault' is not valid");
  CHECK(keys.store_backend().empty());
  auto r = keys.key_for(provider("anthropic", Kind::keychain, "anthropic"));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("GW_SECRET_BACKEND='vault'") != std::string::npos);
}

TEST_CASE("StoreDeviceKeyStore: the device key is created once, kept in the store and signs verifiably") {
  test::TempDir tmp;
  std::shared_ptr<secrets::SecretStore> store = secrets::make_file_store(tmp.path() / "s");
  secrets::StoreDeviceKeyStore dks(store);
  auto none = dks.load_public();
  REQUIRE_FALSE(none);
  CHECK(none.error().code == Errc::not_found);

  auto key = dks.load_or_create();
  REQUIRE(key);
  CHECK(store->get(secrets::k_device_key_item)->has_value());
  auto again = secrets::StoreDeviceKeyStore(store).load_or_create();
  REQUIRE(again);
  CHECK(again->key_id() == key->key_id());
  auto pub = dks.load_public();
  REQUIRE(pub);
  CHECK_FALSE(pub->has_private());
  auto sig = key->sign("checkpoint");
  REQUIRE(sig);
  CHECK(pub->verify("checkpoint", *sig));
}

TEST_CASE("StoreDeviceKeyStore: a damaged stored key is an error, never silently replaced") {
  test::TempDir tmp;
  std::shared_ptr<secrets::SecretStore> store = secrets::make_file_store(tmp.path() / "s");
  REQUIRE(store->set(secrets::k_device_key_item, "zz-not-hex"));
  auto r = secrets::StoreDeviceKeyStore(store).load_or_create();
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("damaged") != std::string::npos);
  CHECK(**store->get(secrets::k_device_key_item) == "zz-not-hex");
}

TEST_CASE("Login token: saved, read back and cleared in the store") {
  test::TempDir tmp;
  auto store = secrets::make_file_store(tmp.path() / "s");
  CHECK_FALSE(secrets::load_login_token(*store)->has_value());
  REQUIRE(secrets::save_login_token(*store, "gwt_abc"));
  CHECK(**secrets::load_login_token(*store) == "gwt_abc");
  CHECK(*secrets::clear_login_token(*store));
  CHECK_FALSE(secrets::load_login_token(*store)->has_value());
}
