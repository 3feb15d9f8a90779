#include <doctest/doctest.h>

#include <cstdlib>

#include "server/server_config.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw;

TEST_CASE("ServerConfig: driver = postgres takes the URL from the file or from an environment variable") {
  test::TempDir tmp;
  auto c = server::parse_server_config(
      "[storage]\ndriver = \"postgres\"\nurl = \"postgresql://gw@db.internal/gw\"\npool_size = 4\n", "s.toml", tmp.path());
  REQUIRE_MESSAGE(c, (c ? "" : c.error().message));
  CHECK(c->storage_driver == "postgres");
  CHECK(c->storage_url == "postgresql://gw@db.internal/gw");
  CHECK(c->storage_pool_size == 4);
  CHECK(c->storage_path == tmp.path() / "central");  // local state (SIEM cursors, bundles) next to the file
  CHECK(c->siem_cursor_dir() == (tmp.path() / "central").string() + ".siem");

  ::setenv("GW_TEST_PG_URL", "postgresql://gw:s3cret@db.internal/gw", 1);
  auto e = server::parse_server_config("[storage]\ndriver = \"postgres\"\nurl_env = \"GW_TEST_PG_URL\"\npath = \"state/gw\"\n",
                                       "s.toml", tmp.path());
  ::unsetenv("GW_TEST_PG_URL");
  REQUIRE_MESSAGE(e, (e ? "" : e.error().message));
  CHECK(e->storage_url == "postgresql://gw:s3cret@db.internal/gw");
  CHECK(e->storage_pool_size == 8);
  CHECK(e->storage_path == tmp.path() / "state/gw");
}

TEST_CASE("ServerConfig: postgres storage mistakes are precise errors") {
  ::unsetenv("GW_TEST_PG_UNSET");
  auto none = server::parse_server_config("[storage]\ndriver = \"postgres\"\n", "s.toml", {});
  REQUIRE_FALSE(none);
  CHECK(none.error().message.find("needs url = ") != std::string::npos);
  auto both = server::parse_server_config("[storage]\ndriver = \"postgres\"\nurl = \"postgresql:///gw\"\nurl_env = \"X\"\n",
                                          "s.toml", {});
  REQUIRE_FALSE(both);
  CHECK(both.error().message.find("needs url = ") != std::string::npos);
  auto unset = server::parse_server_config("[storage]\ndriver = \"postgres\"\nurl_env = \"GW_TEST_PG_UNSET\"\n", "s.toml", {});
  REQUIRE_FALSE(unset);
  CHECK(unset.error().message.find("storage.url_env: the environment variable GW_TEST_PG_UNSET is not set") !=
        std::string::npos);
  auto sqlite_url = server::parse_server_config("[storage]\npath = \"c.db\"\nurl = \"postgresql:///gw\"\n", "s.toml", {});
  REQUIRE_FALSE(sqlite_url);
  CHECK(sqlite_url.error().message.find("storage.url: applies to driver = \"postgres\" only") != std::string::npos);
  auto pool = server::parse_server_config("[storage]\ndriver = \"postgres\"\nurl = \"postgresql:///gw\"\npool_size = 0\n",
                                          "s.toml", {});
  REQUIRE_FALSE(pool);
  CHECK(pool.error().message.find("storage.pool_size") != std::string::npos);
}
