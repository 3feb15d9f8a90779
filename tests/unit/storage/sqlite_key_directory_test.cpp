#include <doctest/doctest.h>

#include "core/storage/sqlite_key_directory.hpp"
#include "core/storage/stores.hpp"
#include "tests/support/key_directory_contract.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw {

TEST_CASE("SqliteKeyDirectory: the key directory contract") {
  test::TempDir tmp("gw-kd");
  int n = 0;
  test::key_directory_contract([&] {
    auto d = storage::SqliteKeyDirectory::open(tmp.path() / ("kd" + std::to_string(n++) + ".db"));
    REQUIRE(d);
    return std::unique_ptr<storage::KeyDirectory>(std::move(*d));
  });
}

TEST_CASE("SqliteKeyDirectory: keys survive a reopen, next to the audit log in one file") {
  test::TempDir tmp("gw-kd");
  {
    auto stores = storage::open_stores({"sqlite", tmp.path() / "central.db"});
    REQUIRE(stores);
    REQUIRE(stores->keys->create_key(test::sample_key("alice")));
    REQUIRE(stores->keys->revoke_key("alice", "ops", "done", 42));
  }
  auto stores = storage::open_stores({"sqlite", tmp.path() / "central.db"});
  REQUIRE(stores);
  auto got = stores->keys->get_key("alice");
  REQUIRE(got);
  REQUIRE(got->has_value());
  CHECK((*got)->revoked_by == "ops");
  CHECK(*stores->keys->revision() == 2);
  CHECK(*stores->audit->count_records() == 0);
}

TEST_CASE("open_stores: an unknown driver is a config error naming it") {
  auto s = storage::open_stores({"oracle", "/nonexistent"});
  REQUIRE(!s);
  CHECK(s.error().code == Errc::config);
  CHECK(s.error().message.find("oracle") != std::string::npos);
}

}  // namespace gw
