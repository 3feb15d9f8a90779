#include <doctest/doctest.h>

#include <fstream>

#include "core/siem/cursor.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw::siem;

TEST_CASE("FileCursorStore: a sink without a cursor starts at 0; saved positions survive a new store") {
  gw::test::TempDir dir("gw-siem-cursor");
  {
    FileCursorStore store(dir.path() / "siem");
    CHECK(store.load("hec").value() == 0);
    REQUIRE(store.save("hec", 41));
    REQUIRE(store.save("hec", 42));
    REQUIRE(store.save("file", 7));
  }
  FileCursorStore again(dir.path() / "siem");
  CHECK(again.load("hec").value() == 42);
  CHECK(again.load("file").value() == 7);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "siem" / "hec.cursor.tmp"));
}

TEST_CASE("FileCursorStore: a corrupt cursor is an error that says how to recover, not a silent restart") {
  gw::test::TempDir dir("gw-siem-cursor");
  FileCursorStore store(dir.path());
  std::ofstream(store.file("hec")) << "{\"position\": -3";
  auto r = store.load("hec");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("is corrupt") != std::string::npos);
  CHECK(r.error().message.find("delete it to resend every event to sink 'hec'") != std::string::npos);
}
