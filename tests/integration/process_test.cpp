// gw::test::Process: explicit environments, captured output, exit status, group kill.
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/process.hpp"

using gw::test::Process;
using gw::test::ProcessOptions;
using namespace std::chrono_literals;

TEST_CASE("Process: the child sees only the environment it was given") {
  gw::test::TempDir home;
  ProcessOptions o;
  o.argv = {"env"};
  o.env = gw::test::minimal_env(home.path());
  o.env["GW_TEST_ONLY"] = "1";
  Process p(o);
  REQUIRE(p.wait(10s) == 0);
  std::string out = p.stdout_text();
  CHECK(out.find("GW_TEST_ONLY=1") != std::string::npos);
  CHECK(out.find("HOME=" + home.path().string()) != std::string::npos);
  int lines = 0;
  for (char c : out) lines += c == '\n';
  CHECK(lines == 5);  // PATH, HOME, LANG, TMPDIR, GW_TEST_ONLY
}

TEST_CASE("Process: lines, stdin, cwd, stderr file and exit code") {
  gw::test::TempDir dir;
  ProcessOptions o;
  o.argv = {"sh", "-c", "echo first; read x; echo \"got $x\"; pwd; echo oops >&2; exit 7"};
  o.env = {{"PATH", "/usr/bin:/bin"}};
  o.cwd = dir.path();
  o.stdin_data = "hello\n";
  Process p(o);
  CHECK(p.read_line_with_timeout(10s) == "first");
  CHECK(p.read_line_with_timeout(10s) == "got hello");
  CHECK(p.read_line_with_timeout(10s) == std::filesystem::canonical(dir.path()).string());
  CHECK(p.wait(10s) == 7);
  CHECK(p.wait_for_output("oops", 10s));
  CHECK_FALSE(p.read_line_with_timeout(1s).has_value());
  std::ifstream err(p.stderr_path());
  std::string line;
  std::getline(err, line);
  CHECK(line == "oops");
}

TEST_CASE("Process: a silent child times out, terminate reaches the whole group") {
  ProcessOptions o;
  o.argv = {"sh", "-c", "sleep 300 & echo $!; wait"};
  o.env = {{"PATH", "/usr/bin:/bin"}};
  Process p(o);
  auto grandchild = p.read_line_with_timeout(10s);
  REQUIRE(grandchild.has_value());
  CHECK_FALSE(p.read_line_with_timeout(50ms).has_value());
  CHECK_FALSE(p.wait(0ms).has_value());
  // A pidfd of the grandchild (not our child) becomes readable when it exits.
  int gfd = int(::syscall(SYS_pidfd_open, std::stoi(*grandchild), 0));
  REQUIRE(gfd >= 0);
  p.terminate();
  auto st = p.wait(10s);
  REQUIRE(st.has_value());
  CHECK(*st == 128 + SIGTERM);
  // The backgrounded sleep got the signal too and ends (it would sleep 300 s otherwise).
  pollfd pfd{gfd, POLLIN, 0};
  CHECK(::poll(&pfd, 1, 10000) == 1);
  ::close(gfd);
}

TEST_CASE("Process: an unknown program is reported, not silently run") {
  ProcessOptions o;
  o.argv = {"gw-no-such-program"};
  o.env = {{"PATH", "/usr/bin:/bin"}};
  CHECK_THROWS_AS(Process{o}, std::runtime_error);
}
