#include <doctest/doctest.h>

#include "core/common/crypto.hpp"
#include "core/common/ids.hpp"

TEST_CASE("crypto: constant_time_equal compares contents and lengths") {
  CHECK(gw::constant_time_equal("abc", "abc"));
  CHECK_FALSE(gw::constant_time_equal("abc", "abd"));
  CHECK_FALSE(gw::constant_time_equal("abc", "abcd"));
  CHECK(gw::constant_time_equal("", ""));
}

TEST_CASE("crypto: sha256_hex of a known vector") {
  CHECK(gw::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("crypto: base64url has no padding and uses the url alphabet") {
  CHECK(gw::base64url("") == "");
  CHECK(gw::base64url("f") == "Zg");
  CHECK(gw::base64url("fo") == "Zm8");
  CHECK(gw::base64url("foo") == "Zm9v");
  CHECK(gw::base64url(std::string("\xfb\xff", 2)) == "-_8");
}

TEST_CASE("ids: uuid_v7 carries the timestamp and the version and variant bits") {
  std::string u = gw::uuid_v7(0x0123456789ab);
  REQUIRE(u.size() == 36);
  CHECK(u.substr(0, 13) == "01234567-89ab");
  CHECK(u[14] == '7');
  CHECK((u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b'));
  CHECK(gw::uuid_v7(1) != gw::uuid_v7(1));
}
