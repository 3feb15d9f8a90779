#include <doctest/doctest.h>

#include <filesystem>

#include "agent/key_sync.hpp"
#include "core/common/clock.hpp"
#include "tests/support/temp_dir.hpp"

namespace {
namespace fs = std::filesystem;
using gw::agent::KeySync;
using gw::agent::KeySyncOptions;

// Port 9 (discard): nothing listens on loopback, so connections are refused at once.
std::string dead_url() { return "http://127.0.0.1:9"; }

gw::config::CentralKeyRecord alice() {
  gw::config::CentralKeyRecord r;
  r.id = "alice";
  r.owner = "alice@example.com";
  return r;
}

std::shared_ptr<const gw::config::Policy> base_policy() {
  auto p = gw::config::parse_policy(R"(
version = "v"
[providers.anthropic]
kind = "anthropic"
base_url = "https://api.anthropic.com"
[keys.local]
providers = ["anthropic"]
models = ["*"]
[local]
key = "local"
)", "p.toml");
  REQUIRE(p);
  return *p;
}

}  // namespace

TEST_CASE("KeySync: offline, the record cached for this central and key is in force") {
  gw::test::TempDir dir("gw-keysync");
  gw::SystemClock clock;
  fs::path cache = dir.path() / "central_key.json";
  REQUIRE(gw::agent::save_key_cache(cache, dead_url(), "gwk_alice", alice(), 1000));
  KeySync sync(KeySyncOptions{dead_url(), "gwk_alice", "", 300, cache}, clock, nullptr);
  REQUIRE(sync.current());
  CHECK(sync.current()->id == "alice");
  auto r = sync.sync_now();
  CHECK_FALSE(r);  // unreachable
  REQUIRE(sync.current());  // the cached record stays
  auto merged = gw::agent::apply_central_key(base_policy(), sync);
  CHECK(merged->local_key == "alice");
  CHECK(merged->find_key("alice")->refusal.empty());
  CHECK(sync.status()["state"] == "offline (cached record in force)");
}

TEST_CASE("KeySync: a cache written for another key or another central is not used") {
  gw::test::TempDir dir("gw-keysync");
  gw::SystemClock clock;
  fs::path cache = dir.path() / "central_key.json";
  REQUIRE(gw::agent::save_key_cache(cache, dead_url(), "gwk_bob", alice(), 1000));
  KeySync other_key(KeySyncOptions{dead_url(), "gwk_alice", "", 300, cache}, clock, nullptr);
  CHECK_FALSE(other_key.current());
  KeySync other_url(KeySyncOptions{"http://127.0.0.1:10", "gwk_bob", "", 300, cache}, clock, nullptr);
  CHECK_FALSE(other_url.current());
}

TEST_CASE("KeySync: logged in with no answer and no cache, launcher sessions are refused with the reason") {
  gw::test::TempDir dir("gw-keysync");
  gw::SystemClock clock;
  KeySync sync(KeySyncOptions{dead_url(), "gwk_alice", "", 300, dir.path() / "none.json"}, clock, nullptr);
  CHECK_FALSE(sync.current());
  auto merged = gw::agent::apply_central_key(base_policy(), sync);
  const auto* k = merged->find_key(merged->local_key);
  REQUIRE(k);
  CHECK(k->refusal.find("could not be confirmed") != std::string::npos);
  CHECK(k->refusal.find(dead_url()) != std::string::npos);
}

TEST_CASE("KeySync: wait_for_next_sync returns once a sync that started after the call finished") {
  gw::test::TempDir dir("gw-keysync");
  gw::SystemClock clock;
  KeySync sync(KeySyncOptions{dead_url(), "gwk_alice", "", 1, dir.path() / "c.json"}, clock, nullptr);
  CHECK_FALSE(sync.wait_for_next_sync(std::chrono::milliseconds(0)));
  sync.start();
  CHECK(sync.wait_for_next_sync(std::chrono::seconds(5)));
  sync.stop();
}
