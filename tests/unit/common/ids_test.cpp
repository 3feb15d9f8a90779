#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/common/crypto.hpp"
#include "core/common/ids.hpp"

namespace {
bool well_formed(const std::string& u) {
  if (u.size() != 36) return false;
  for (size_t i = 0; i < u.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (u[i] == '-')) return false;
    if (!dash && !((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f'))) return false;
  }
  return u[14] == '7' && (u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
}
}  // namespace

TEST_CASE("ids: uuid_v7 is well formed and unique across threads") {
  std::vector<std::vector<std::string>> per(4);
  std::vector<std::thread> ts;
  for (auto& v : per)
    ts.emplace_back([&v] {
      for (int i = 0; i < 5000; ++i) v.push_back(gw::uuid_v7(42));
    });
  for (auto& t : ts) t.join();
  std::set<std::string> all;
  for (auto& v : per)
    for (auto& u : v) {
      CHECK(well_formed(u));
      all.insert(u);
    }
  CHECK(all.size() == 20000);
  CHECK(all.begin()->substr(0, 13) == "00000000-002a");
}

TEST_CASE("ids: a forked child does not repeat the parent's next ids") {
  (void)gw::uuid_v7(1);  // the parent's generator is seeded before the fork
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string u = gw::uuid_v7(1);
    (void)!::write(fds[1], u.data(), u.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string child(36, '\0');
  size_t got = 0;
  while (got < child.size()) {
    ssize_t n = ::read(fds[0], child.data() + got, child.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(got == 36);
  CHECK(child != gw::uuid_v7(1));
}

TEST_CASE("crypto: sha256 reuses its context correctly for successive and large inputs") {
  CHECK(gw::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(gw::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string million(1000000, 'a');
  CHECK(gw::sha256_hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(gw::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
