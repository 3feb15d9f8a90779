#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/secrets/secret_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw;
namespace fs = std::filesystem;

namespace {
unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}
}  // namespace

TEST_CASE("FileStore: keys set, read back, listed sorted, replaced and removed") {
  test::TempDir tmp;
  auto store = secrets::make_file_store(tmp.path() / "secrets");
  CHECK(store->backend() == secrets::Backend::file);
  CHECK_FALSE(secrets::is_secure(store->backend()));
  CHECK(store->get("anthropic")->has_value() == false);
  CHECK(store->list()->empty());

  REQUIRE(store->set("openai", "sk-proj-1"));
  REQUIRE(store->set("anthropic", "sk-ant-1"));
  CHECK(**store->get("anthropic") == "sk-ant-1");
  CHECK(*store->list() == std::vector<std::string>{"anthropic", "openai"});

  REQUIRE(store->set("anthropic", "sk-ant-2"));
  CHECK(**store->get("anthropic") == "sk-ant-2");
  CHECK(*store->remove("anthropic") == true);
  CHECK(*store->remove("anthropic") == false);
  CHECK(*store->list() == std::vector<std::string>{"openai"});

  // A second store over the same dir (another process) sees the same items.
  auto again = secrets::make_file_store(tmp.path() / "secrets");
  CHECK(**again->get("openai") == "sk-proj-1");
}

TEST_CASE("FileStore: the file is 0600 in a 0700 dir, created with those modes") {
  test::TempDir tmp;
  auto dir = tmp.path() / "state" / "secrets";
  auto store = secrets::make_file_store(dir);
  ::umask(0);  // even with a permissive umask
  REQUIRE(store->set("anthropic", "sk-ant-1"));
  ::umask(022);
  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(dir / "credentials.json") == 0600);
  CHECK(store->location() == (dir / "credentials.json").string());
}

TEST_CASE("FileStore: a group- or world-readable credential file is refused, with the fix") {
  test::TempDir tmp;
  auto dir = tmp.path() / "secrets";
  auto store = secrets::make_file_store(dir);
  REQUIRE(store->set("anthropic", "sk-ant-1"));
  for (unsigned bad : {0640u, 0604u}) {
    fs::permissions(dir / "credentials.json", static_cast<fs::perms>(bad));
    auto r = store->get("anthropic");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::config);
    CHECK(r.error().message.find("chmod 600") != std::string::npos);
    CHECK(r.error().message.find("sk-ant-1") == std::string::npos);
    CHECK_FALSE(store->set("openai", "x"));
    CHECK_FALSE(store->list());
  }
  fs::permissions(dir / "credentials.json", static_cast<fs::perms>(0600));
  CHECK(**store->get("anthropic") == "sk-ant-1");
}

TEST_CASE("FileStore: a credential dir other users can enter is refused") {
  test::TempDir tmp;
  auto dir = tmp.path() / "secrets";
  auto store = secrets::make_file_store(dir);
  REQUIRE(store->set("anthropic", "sk-ant-1"));
  fs::permissions(dir, static_cast<fs::perms>(0755));
  auto r = store->get("anthropic");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("chmod 700") != std::string::npos);
}

TEST_CASE("FileStore: a damaged file is reported, not treated as empty") {
  test::TempDir tmp;
  auto dir = tmp.path() / "secrets";
  auto store = secrets::make_file_store(dir);
  REQUIRE(store->set("anthropic", "sk-ant-1"));
  {
    std::ofstream out(dir / "credentials.json", std::ios::trunc);
    out << "{not json";
  }
  auto r = store->list();
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("damaged") != std::string::npos);
}

TEST_CASE("SecretStore: item names are checked with a message naming what is allowed") {
  CHECK(secrets::check_item_name("anthropic"));
  CHECK(secrets::check_item_name("gw/anthropic"));
  CHECK(secrets::check_item_name("team-a.openai_2@corp"));
  CHECK_FALSE(secrets::check_item_name(""));
  CHECK_FALSE(secrets::check_item_name(std::string(129, 'a')));
  auto r = secrets::check_item_name("my key");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("letters, digits") != std::string::npos);
  CHECK(secrets::is_internal_item(secrets::k_device_key_item));
  CHECK_FALSE(secrets::is_internal_item("anthropic"));
}
