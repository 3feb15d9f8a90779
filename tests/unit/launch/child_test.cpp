#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cli/launch/child.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace gw::launch;

namespace {
fs::path make_script(const fs::path& dir, const std::string& name, const std::string& body) {
  fs::path p = dir / name;
  std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
  fs::permissions(p, fs::perms::owner_all);
  return p;
}
std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("Agent binary: found on PATH, overridden by GW_<AGENT>_BIN, missing -> install hint") {
  gw::test::TempDir tmp;
  fs::path bin = tmp.path() / "bin";
  fs::create_directories(bin);
  auto claude = make_script(bin, "claude", "exit 0");
  EnvMap env{{"PATH", "/nonexistent:" + bin.string()}};
  auto found = find_agent_binary("claude", "claude", env);
  REQUIRE(found);
  CHECK(*found == claude);

  auto other = make_script(tmp.path(), "my-claude", "exit 0");
  env["GW_CLAUDE_BIN"] = other.string();
  CHECK(*find_agent_binary("claude", "claude", env) == other);
  env["GW_CLAUDE_BIN"] = (tmp.path() / "nope").string();
  CHECK_FALSE(find_agent_binary("claude", "claude", env));

  auto missing = find_agent_binary("gemini", "gemini", EnvMap{{"PATH", bin.string()}});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == gw::Errc::not_found);
  CHECK(missing.error().message.find("npm install -g @google/gemini-cli") != std::string::npos);
  CHECK(missing.error().message.find("GW_GEMINI_BIN") != std::string::npos);
}

TEST_CASE("Child: gets exactly the planned env and args; its exit code comes back") {
  gw::test::TempDir tmp;
  fs::path out = tmp.path() / "out";
  auto s = make_script(tmp.path(), "agent", "printf '%s|%s|%s|%s' \"$1\" \"$2\" \"$GW_X\" \"${HOME-unset}\" > " +
                                                out.string() + "; exit 3");
  auto status = run_child(s, {"a b", "--flag"}, EnvMap{{"GW_X", "v"}, {"PATH", "/usr/bin:/bin"}});
  REQUIRE(status);
  CHECK(exit_like_child(*status) == 3);
  CHECK(read(out) == "a b|--flag|v|unset");
}

TEST_CASE("Child: a missing executable is reported, not run") {
  gw::test::TempDir tmp;
  auto status = run_child(tmp.path() / "absent", {}, EnvMap{});
  REQUIRE_FALSE(status);
  CHECK(status.error().code == gw::Errc::not_found);
}

TEST_CASE("Child: Ctrl-C (SIGINT) is left to the agent; SIGTERM to the launcher is forwarded") {
  gw::test::TempDir tmp;
  struct sigaction before {};
  ::sigaction(SIGINT, nullptr, &before);
  // The agent sends SIGINT to its parent (the launcher): the launcher must survive it.
  auto intr = make_script(tmp.path(), "intr", "kill -INT $PPID; exit 7");
  auto st = run_child(intr, {}, EnvMap{{"PATH", "/usr/bin:/bin"}});
  REQUIRE(st);
  CHECK(exit_like_child(*st) == 7);

  // The agent asks its parent to be terminated; the launcher forwards TERM to it, the agent's
  // trap ends it with 42, and the launcher itself keeps running.
  auto term = make_script(tmp.path(), "term",
                          "trap 'exit 42' TERM; kill -TERM $PPID; while :; do :; done");
  st = run_child(term, {}, EnvMap{{"PATH", "/usr/bin:/bin"}});
  REQUIRE(st);
  CHECK(exit_like_child(*st) == 42);

  // Dispositions are restored after the child exits.
  struct sigaction now {};
  ::sigaction(SIGINT, nullptr, &now);
  CHECK((now.sa_handler == before.sa_handler));
}

TEST_CASE("Child: an agent killed by a signal makes the launcher die of the same signal") {
  gw::test::TempDir tmp;
  auto die = make_script(tmp.path(), "die", "kill -TERM $$");
  auto st = run_child(die, {}, EnvMap{{"PATH", "/usr/bin:/bin"}});
  REQUIRE(st);
  REQUIRE(WIFSIGNALED(*st));
  CHECK(WTERMSIG(*st) == SIGTERM);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(exit_like_child(*st) == 128 + SIGTERM ? 99 : 98);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
}
