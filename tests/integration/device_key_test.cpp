// The sidecar keeps the device's audit signing key in the credential store (ADR 0056): a key an
// older gw left in <state>/device_key is moved there on the first start, `gw audit verify` still
// finds the public key, and every request record says which store supplied the provider key and
// the device key. The "keyring" suite runs against a real Secret Service through
// tests/unit/secrets/with_keyring.sh (ctest sidecar_keyring); the plain run covers the file fallback.
#include <doctest/doctest.h>

#include <cstdlib>

#include "core/audit/device_key.hpp"
#include "core/common/crypto.hpp"
#include "core/secrets/secret_store.hpp"
#include "tests/integration/audit_harness.hpp"

using namespace gw::test;
using namespace gw::test::audit;
namespace fs = std::filesystem;

namespace {

// Creates the key the way gw did before the credential store held it.
gw::audit::DeviceKey plant_legacy_key(const AuditHome& home) {
  auto key = gw::audit::FileDeviceKeyStore(home.paths().state_dir).load_or_create();
  REQUIRE(key);
  return std::move(*key);
}

// One Claude request through the sidecar; returns the request's admitted and completed records.
std::vector<nlohmann::json> one_request(AuditHome& home, const std::string& session) {
  auto token = home.mint();
  auto r = home.post_claude(token, session, messages_body("hello"));
  REQUIRE(r.ok);
  CHECK(r.status == 200);
  home.stop();  // drains the spool
  std::vector<nlohmann::json> mine;
  for (const auto& ev : spool_events(home.spool_dir()))
    if (ev.value("agent_session_id", "") == session) mine.push_back(ev);
  REQUIRE(mine.size() == 2);
  return mine;
}

}  // namespace

TEST_CASE("Device key: the file fallback takes over the legacy key file; records say \"file\"; verify passes") {
  FakeProvider fake;
  AuditHome home(test_policy(fake.base_url()));
  home.set_env("GW_SECRET_BACKEND", "file");
  auto legacy = plant_legacy_key(home);
  const fs::path state = home.paths().state_dir;

  home.start();
  auto records = one_request(home, "sess-devkey-file");
  for (const auto& ev : records) {
    CHECK(ev["credential_stores"]["device_key"] == "file");
    CHECK(ev["credential_stores"]["provider_key"] == "env");  // ANTHROPIC_API_KEY in the sidecar's env
    CHECK(ev["device_id"] == "dev-" + legacy.key_id());        // same signer as before the move
  }
  CHECK_FALSE(fs::exists(state / "device_key"));
  auto store = gw::secrets::make_file_store(state / "secrets");
  auto item = store->get(gw::secrets::k_device_key_item);
  REQUIRE(item);
  REQUIRE(item->has_value());
  CHECK(**item == gw::to_hex(legacy.private_raw()));
  auto perms = fs::status(state / "secrets" / "credentials.json").permissions() & fs::perms::all;
  CHECK(perms == (fs::perms::owner_read | fs::perms::owner_write));
  auto [code, out] = home.gw({"audit", "verify"});
  CHECK_MESSAGE(code == 0, out);

  // A restart signs with the same key from the store; the chain still verifies.
  home.start();
  auto again = one_request(home, "sess-devkey-file-2");
  CHECK(again[0]["device_id"] == "dev-" + legacy.key_id());
  auto [code2, out2] = home.gw({"audit", "verify"});
  CHECK_MESSAGE(code2 == 0, out2);
}

TEST_CASE("Device key: `gw status` warns on every run while the file fallback holds the keys") {
  FakeProvider fake;
  AuditHome home(test_policy(fake.base_url()));
  home.set_env("GW_SECRET_BACKEND", "file");
  for (int run = 0; run < 2; ++run) {  // sidecar not running, then running: the warning each time
    if (run == 1) home.start();
    auto [code, out] = home.gw({"status"});
    CHECK(out.find("warning: provider keys and the device key are kept in a plain file") != std::string::npos);
  }
  home.set_env("NO_COLOR", "1");
  auto [code, out] = home.gw({"status", "--json"});
  CHECK(out.find("warning: provider keys and the device key are kept in a plain file") != std::string::npos);
}

TEST_SUITE("keyring" * doctest::skip()) {

TEST_CASE("Device key: with a Secret Service the key moves into the keyring; records say \"secret-service\"") {
  const char* bus = std::getenv("DBUS_SESSION_BUS_ADDRESS");
  REQUIRE_MESSAGE(bus, "no D-Bus session: run this suite through tests/unit/secrets/with_keyring.sh");
  FakeProvider fake;
  AuditHome home(test_policy(fake.base_url()));
  home.set_env("DBUS_SESSION_BUS_ADDRESS", bus);
  if (const char* run = std::getenv("XDG_RUNTIME_DIR")) home.set_env("XDG_RUNTIME_DIR", run);
  home.set_env("GW_SECRET_BACKEND", "auto");
  auto legacy = plant_legacy_key(home);
  const fs::path state = home.paths().state_dir;

  // The provider key comes from the keyring too: stored with `gw keys set`, none in the env.
  home.set_env("ANTHROPIC_API_KEY", "");
  {
    ProcessOptions po;
    po.argv = {std::string(GW_BINARY_DIR) + "/gw", "keys", "set", "anthropic"};
    po.env = home.env();
    po.stdin_data = std::string(k_anthropic_key) + "\n";
    Process p(po);
    REQUIRE(p.wait(std::chrono::seconds(30)) == 0);
  }

  home.start();
  auto records = one_request(home, "sess-devkey-keyring");
  for (const auto& ev : records) {
    CHECK(ev["credential_stores"]["device_key"] == "secret-service");
    CHECK(ev["credential_stores"]["provider_key"] == "secret-service");
    CHECK(ev["device_id"] == "dev-" + legacy.key_id());
  }
  CHECK_FALSE(fs::exists(state / "device_key"));
  CHECK_FALSE(fs::exists(state / "secrets" / "credentials.json"));  // nothing in the fallback file
  CHECK(fs::exists(state / "device_key.pub"));
  auto [code, out] = home.gw({"audit", "verify"});
  CHECK_MESSAGE(code == 0, out);
  auto [scode, sout] = home.gw({"status"});
  CHECK(sout.find("plain file") == std::string::npos);  // no fallback warning with a keyring

  // Another Secret Service client finds the key in the keyring.
  if (std::system("command -v secret-tool >/dev/null") == 0) {
    std::string cmd = "secret-tool lookup name " + std::string(gw::secrets::k_device_key_item);
    FILE* f = ::popen(cmd.c_str(), "r");
    REQUIRE(f);
    char buf[256] = {};
    size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
    ::pclose(f);
    CHECK(std::string(buf, n) == gw::to_hex(legacy.private_raw()));
  }
  (void)home.gw({"keys", "rm", "anthropic"});
}

}  // TEST_SUITE
