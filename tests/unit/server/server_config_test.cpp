#include <doctest/doctest.h>

#include <fstream>

#include "server/server_config.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw;

TEST_CASE("ServerConfig: a full file is read, relative paths resolved against its directory") {
  test::TempDir tmp;
  std::ofstream(tmp.path() / "c.pem") << "x";
  std::ofstream(tmp.path() / "k.pem") << "x";
  auto c = server::parse_server_config(
      "listen = \"0.0.0.0:8443\"\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n[storage]\npath = \"data/central.db\"\n"
      "[ingest]\nmax_batch_records = 100\n[enrollment.tokens.laptops]\n"
      "secret_hash = \"sha256:" + std::string(64, 'a') + "\"\n",
      "server.toml", tmp.path());
  REQUIRE_MESSAGE(c, (c ? "" : c.error().message));
  CHECK(c->host == "0.0.0.0");
  CHECK(c->port == 8443);
  CHECK(c->tls());
  CHECK(c->storage_path == tmp.path() / "data/central.db");
  CHECK(c->max_batch_records == 100);
  REQUIRE(c->enrollment_tokens.size() == 1);
  CHECK(c->enrollment_tokens[0].id == "laptops");
}

TEST_CASE("ServerConfig: every problem is reported with file:line:col, unknown keys included") {
  auto c = server::parse_server_config(
      "listen = \"nowhere\"\nlisten_port = 3\n[storage]\ndriver = \"mysql\"\n[enrollment.tokens.a]\nsecret_hash = \"plain\"\n",
      "server.toml", {});
  REQUIRE_FALSE(c);
  const std::string& m = c.error().message;
  INFO(m);
  CHECK(m.find("server.toml:1:10: listen: must be HOST:PORT") != std::string::npos);
  CHECK(m.find("server.toml:2:15: listen_port: unknown key") != std::string::npos);
  CHECK(m.find("server.toml:4:10: storage.driver: must be \"sqlite\"") != std::string::npos);
  CHECK(m.find("storage.path: ") != std::string::npos);
  CHECK(m.find("server.toml:6:15: enrollment.tokens.a.secret_hash: must be \"sha256:\"") != std::string::npos);
}

TEST_CASE("ServerConfig: a public address without TLS is refused unless plaintext is explicit") {
  auto c = server::parse_server_config("listen = \"0.0.0.0:80\"\n[storage]\npath = \"x.db\"\n", "s.toml", {});
  REQUIRE_FALSE(c);
  CHECK(c.error().message.find("not a loopback address: add [tls]") != std::string::npos);
  auto ok = server::parse_server_config("listen = \"0.0.0.0:80\"\ninsecure_plaintext = true\n[storage]\npath = \"x.db\"\n",
                                        "s.toml", {});
  CHECK(ok);
  auto missing = server::parse_server_config("listen = \"127.0.0.1:0\"\n", "s.toml", {});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("storage: missing") != std::string::npos);
}

TEST_CASE("ServerConfig: missing TLS files are named") {
  auto c = server::parse_server_config("[tls]\ncert = \"/nonexistent/c.pem\"\nkey = \"/nonexistent/k.pem\"\n[storage]\npath = \"x\"\n",
                                       "s.toml", {});
  REQUIRE_FALSE(c);
  CHECK(c.error().message.find("tls.cert: no such file: /nonexistent/c.pem") != std::string::npos);
}
