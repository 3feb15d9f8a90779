// The device key moves from the legacy <state>/device_key file into the credential store
// (ADR 0056): the file goes only after the store returned the same key, the public key stays
// where `gw audit verify` reads it, and a store that refuses keeps the file key in use.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/common/crypto.hpp"
#include "core/secrets/device_key_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw;
namespace fs = std::filesystem;

namespace {

// A store that reads like the file store but refuses every write (a locked keyring).
class RefusingStore final : public secrets::SecretStore {
public:
  explicit RefusingStore(std::shared_ptr<secrets::SecretStore> inner) : m_inner(std::move(inner)) {}
  secrets::Backend backend() const override { return secrets::Backend::secret_service; }
  std::string location() const override { return "a locked keyring"; }
  Result<std::optional<std::string>> get(std::string_view n) override { return m_inner->get(n); }
  Status set(std::string_view, std::string_view) override {
    return fail(Errc::unavailable, "the keyring is locked; unlock it");
  }
  Result<bool> remove(std::string_view n) override { return m_inner->remove(n); }
  Result<std::vector<std::string>> list() override { return m_inner->list(); }

private:
  std::shared_ptr<secrets::SecretStore> m_inner;
};

// A device key written the way gw <= 0.x did: <state>/device_key (0600) and device_key.pub.
audit::DeviceKey legacy_key(const fs::path& state) {
  auto key = audit::FileDeviceKeyStore(state).load_or_create();
  REQUIRE(key);
  REQUIRE(fs::exists(state / "device_key"));
  return std::move(*key);
}

std::string read_pub(const fs::path& state) {
  std::ifstream in(state / "device_key.pub");
  std::string s;
  std::getline(in, s);
  return s;
}

}  // namespace

TEST_CASE("StoreDeviceKeyStore: a legacy device_key file is moved into the store and then removed") {
  test::TempDir tmp;
  fs::path state = tmp.path() / "state";
  auto old = legacy_key(state);
  std::shared_ptr<secrets::SecretStore> store = secrets::make_file_store(tmp.path() / "store");

  secrets::StoreDeviceKeyStore dks(store, state);
  auto key = dks.load_or_create();
  REQUIRE(key);
  CHECK(key->key_id() == old.key_id());  // same signer: the spool's chain and device id continue
  CHECK_FALSE(fs::exists(state / "device_key"));
  CHECK(**store->get(secrets::k_device_key_item) == to_hex(old.private_raw()));
  CHECK(dks.backend() == "file");  // the file *store* backend here; see the refusing case below
  CHECK(dks.migration_note().find("moved the device key") != std::string::npos);
  // The public half stays where `gw audit verify` reads it.
  CHECK(read_pub(state) == to_hex(old.public_raw()));
  auto pub = audit::FileDeviceKeyStore(state).load_public();
  REQUIRE(pub);
  CHECK(pub->key_id() == old.key_id());

  // The next start loads it from the store, with nothing left to move.
  secrets::StoreDeviceKeyStore next(store, state);
  auto again = next.load_or_create();
  REQUIRE(again);
  CHECK(again->key_id() == old.key_id());
  CHECK(next.migration_note().empty());
}

TEST_CASE("StoreDeviceKeyStore: a store that refuses the key keeps the file and reports \"file\"") {
  test::TempDir tmp;
  fs::path state = tmp.path() / "state";
  auto old = legacy_key(state);
  auto inner = secrets::make_file_store(tmp.path() / "store");
  auto store = std::make_shared<RefusingStore>(std::shared_ptr<secrets::SecretStore>(std::move(inner)));

  secrets::StoreDeviceKeyStore dks(store, state);
  CHECK(dks.backend() == "secret-service");
  auto key = dks.load_or_create();
  REQUIRE(key);
  CHECK(key->key_id() == old.key_id());
  CHECK(fs::exists(state / "device_key"));  // never removed before the store confirmed it
  CHECK(dks.backend() == "file");
  CHECK(dks.migration_note().find("the keyring is locked") != std::string::npos);
}

TEST_CASE("StoreDeviceKeyStore: a different key already in the store never replaces the spool's signer") {
  test::TempDir tmp;
  fs::path state = tmp.path() / "state";
  auto old = legacy_key(state);
  std::shared_ptr<secrets::SecretStore> store = secrets::make_file_store(tmp.path() / "store");
  auto other = audit::DeviceKey::generate();
  REQUIRE(store->set(secrets::k_device_key_item, to_hex(other.private_raw())));

  secrets::StoreDeviceKeyStore dks(store, state);
  auto key = dks.load_or_create();
  REQUIRE(key);
  CHECK(key->key_id() == old.key_id());
  CHECK(fs::exists(state / "device_key"));
  CHECK(**store->get(secrets::k_device_key_item) == to_hex(other.private_raw()));  // untouched
  CHECK(dks.backend() == "file");
  CHECK(dks.migration_note().find("different device key") != std::string::npos);
}

TEST_CASE("StoreDeviceKeyStore: a legacy key file readable by others is refused, not moved") {
  test::TempDir tmp;
  fs::path state = tmp.path() / "state";
  legacy_key(state);
  ::chmod((state / "device_key").c_str(), 0644);
  std::shared_ptr<secrets::SecretStore> store = secrets::make_file_store(tmp.path() / "store");
  auto r = secrets::StoreDeviceKeyStore(store, state).load_or_create();
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("chmod 600") != std::string::npos);
  CHECK_FALSE(store->get(secrets::k_device_key_item)->has_value());
}

TEST_CASE("StoreDeviceKeyStore: a new device gets its key in the store and device_key.pub in the state dir") {
  test::TempDir tmp;
  fs::path state = tmp.path() / "state";
  std::shared_ptr<secrets::SecretStore> store = secrets::make_file_store(tmp.path() / "store");
  secrets::StoreDeviceKeyStore dks(store, state);
  auto key = dks.load_or_create();
  REQUIRE(key);
  CHECK_FALSE(fs::exists(state / "device_key"));
  CHECK(read_pub(state) == to_hex(key->public_raw()));
  CHECK(dks.migration_note().empty());
}
