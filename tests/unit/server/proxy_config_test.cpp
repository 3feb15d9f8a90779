#include <doctest/doctest.h>

#include <fstream>

#include "server/server_config.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw;

TEST_CASE("ServerConfig [proxy]: off when absent; defaults to the central's host and port 8444") {
  test::TempDir tmp;
  auto off = server::parse_server_config("[storage]\npath = \"c.db\"\n", "server.toml", tmp.path());
  REQUIRE(off);
  CHECK(!off->proxy.enabled);
  std::ofstream(tmp.path() / "p.toml") << "version = \"x\"\n";
  auto on = server::parse_server_config(
      "listen = \"127.0.0.2:9000\"\n[storage]\npath = \"c.db\"\n[proxy]\npolicy = \"p.toml\"\nmax_body_bytes = 2048\n",
      "server.toml", tmp.path());
  REQUIRE_MESSAGE(on, (on ? "" : on.error().message));
  CHECK(on->proxy.enabled);
  CHECK(on->proxy.host == "127.0.0.2");
  CHECK(on->proxy.port == 8444);
  CHECK(on->proxy.policy_file == tmp.path() / "p.toml");
  CHECK(on->proxy.max_body_bytes == 2048);
  CHECK(on->proxy.device_id.starts_with("central"));
}

TEST_CASE("ServerConfig [proxy]: bad listen, a missing policy file, unknown keys and a public port without TLS") {
  auto c = server::parse_server_config(
      "[storage]\npath = \"c.db\"\n[proxy]\nlisten = \"nope\"\npolicy = \"missing.toml\"\ncolour = 1\n", "server.toml", "/tmp");
  REQUIRE(!c);
  const std::string& m = c.error().message;
  CHECK(m.find("server.toml:4:10: proxy.listen: must be HOST:PORT") != std::string::npos);
  CHECK(m.find("proxy.policy: no such file: /tmp/missing.toml") != std::string::npos);
  CHECK(m.find("proxy.colour") != std::string::npos);
  auto open = server::parse_server_config("[storage]\npath = \"c.db\"\n[proxy]\nlisten = \"0.0.0.0:8444\"\n", "server.toml", "/tmp");
  REQUIRE(!open);
  CHECK(open.error().message.find("proxy.listen: \"0.0.0.0\" is not a loopback address: add [tls]") != std::string::npos);
}
