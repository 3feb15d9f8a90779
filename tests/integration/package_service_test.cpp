// gw agent install-service / uninstall-service with the real binary, a temp XDG_CONFIG_HOME and
// a fake systemctl on PATH that records its arguments.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "tests/support/process.hpp"

using namespace gw::test;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

Run run_gw(const Env& env, std::vector<std::string> args) {
  ProcessOptions po;
  po.argv = {std::string(GW_BINARY_DIR) + "/gw"};
  for (auto& a : args) po.argv.push_back(a);
  po.env = env;
  Process p(po);
  auto code = p.wait(std::chrono::seconds(30));
  REQUIRE(code.has_value());
  return {*code, p.stdout_text(), p.stderr_text()};
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A `systemctl` that appends its arguments to <dir>/systemctl.log and exits with `code`.
void fake_systemctl(const fs::path& bin, int code) {
  fs::create_directories(bin);
  std::ofstream s(bin / "systemctl");
  s << "#!/bin/sh\necho \"$*\" >> \"" << (bin / "systemctl.log").string() << "\"\n"
    << (code ? "echo 'Failed to connect to bus: No medium found' >&2\n" : "") << "exit " << code << "\n";
  s.close();
  ::chmod((bin / "systemctl").c_str(), 0755);
}

}  // namespace

TEST_CASE("install-service: writes the unit under XDG_CONFIG_HOME, reloads and enables it, and says so") {
  TempDir home("gw-svc");
  Env env = minimal_env(home.path());
  auto bin = home.path() / "bin";
  fake_systemctl(bin, 0);
  env["PATH"] = bin.string() + ":/usr/bin:/bin";
  env["XDG_CONFIG_HOME"] = (home.path() / "xdg").string();

  auto r = run_gw(env, {"agent", "install-service"});
  CHECK(r.code == 0);
  auto unit = home.path() / "xdg" / "systemd" / "user" / "gw-agent.service";
  REQUIRE(fs::exists(unit));
  auto text = slurp(unit);
  CHECK(text.find("ExecStart=" + std::string(GW_BINARY_DIR) + "/gw agent run --idle-exit 0") != std::string::npos);
  CHECK(slurp(bin / "systemctl.log") == "--user daemon-reload\n--user enable --now gw-agent.service\n");
  CHECK(r.out.find("wrote " + unit.string()) != std::string::npos);
  CHECK(r.out.find("ran: systemctl --user enable --now gw-agent.service") != std::string::npos);

  auto u = run_gw(env, {"agent", "uninstall-service"});
  CHECK(u.code == 0);
  CHECK_FALSE(fs::exists(unit));
  CHECK(slurp(bin / "systemctl.log").find("--user disable --now gw-agent.service\n--user daemon-reload\n") != std::string::npos);
  CHECK(u.out.find("kept") != std::string::npos);
  auto again = run_gw(env, {"agent", "uninstall-service"});
  CHECK(again.code == 0);
  CHECK(again.out.find("no gw service installed") != std::string::npos);
}

TEST_CASE("install-service: without XDG_CONFIG_HOME the unit goes to ~/.config; --no-start only enables") {
  TempDir home("gw-svc");
  Env env = minimal_env(home.path());
  auto bin = home.path() / "bin";
  fake_systemctl(bin, 0);
  env["PATH"] = bin.string() + ":/usr/bin:/bin";
  auto r = run_gw(env, {"agent", "install-service", "--no-start"});
  CHECK(r.code == 0);
  CHECK(fs::exists(home.path() / ".config" / "systemd" / "user" / "gw-agent.service"));
  CHECK(slurp(bin / "systemctl.log") == "--user daemon-reload\n--user enable gw-agent.service\n");
}

TEST_CASE("install-service: a failing systemctl is reported with the fix, the unit stays written") {
  TempDir home("gw-svc");
  Env env = minimal_env(home.path());
  auto bin = home.path() / "bin";
  fake_systemctl(bin, 1);
  env["PATH"] = bin.string() + ":/usr/bin:/bin";
  env["XDG_CONFIG_HOME"] = (home.path() / "xdg").string();
  auto r = run_gw(env, {"agent", "install-service"});
  CHECK(r.code == 1);
  CHECK(r.err.find("No medium found") != std::string::npos);
  CHECK(r.err.find("loginctl enable-linger") != std::string::npos);
  CHECK(fs::exists(home.path() / "xdg" / "systemd" / "user" / "gw-agent.service"));
}

TEST_CASE("install-service: with no systemctl on PATH the unit is written and the user told nothing was enabled") {
  TempDir home("gw-svc");
  Env env = minimal_env(home.path());
  env["PATH"] = (home.path() / "empty").string();
  env["XDG_CONFIG_HOME"] = (home.path() / "xdg").string();
  auto r = run_gw(env, {"agent", "install-service"});
  CHECK(r.code == 0);
  CHECK(r.out.find("systemctl is not on PATH") != std::string::npos);
  CHECK(fs::exists(home.path() / "xdg" / "systemd" / "user" / "gw-agent.service"));
}
