// gw doctor with the real binary: each broken setup gets its verdict and a fix, and the exit
// status says whether something is wrong.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/process.hpp"
#include "tests/support/sidecar.hpp"

using namespace gw::test;
namespace fs = std::filesystem;

namespace {

struct Doctor {
  int code = -1;
  nlohmann::json report;
  const nlohmann::json& check(const std::string& id) const {
    for (const auto& c : report["checks"])
      if (c["id"] == id) return c;
    FAIL("no check " << id);
    static nlohmann::json none;
    return none;
  }
};

Doctor run_doctor(const Env& env) {
  ProcessOptions po;
  po.argv = {std::string(GW_BINARY_DIR) + "/gw", "doctor", "--json"};
  po.env = env;
  Process p(po);
  auto code = p.wait(std::chrono::seconds(60));
  REQUIRE(code.has_value());
  auto j = nlohmann::json::parse(p.stdout_text(), nullptr, false);
  std::string all = p.stdout_text() + p.stderr_text();
  REQUIRE_MESSAGE(!j.is_discarded(), all);
  return {*code, j};
}

// A temp home with a fake `claude` on PATH, keys in the environment and the file store.
struct Home {
  TempDir dir{"gw-doctor"};
  Env env;
  Home() {
    env = minimal_env(dir.path());
    auto bin = dir.path() / "bin";
    fs::create_directories(bin);
    std::ofstream(bin / "claude") << "#!/bin/sh\necho '2.1.197 (Claude Code)'\n";
    ::chmod((bin / "claude").c_str(), 0755);
    env["PATH"] = bin.string() + ":/usr/bin:/bin";
    env["GW_CONFIG_DIR"] = (dir.path() / "config").string();
    env["GW_STATE_DIR"] = (dir.path() / "state").string();
    env["GW_SECRET_BACKEND"] = "file";
    env["ANTHROPIC_API_KEY"] = "sk-ant-x";
    env["OPENAI_API_KEY"] = "sk-proj-x";
    env["GEMINI_API_KEY"] = "AIza-x";
    env["GW_AGENT_PORT"] = std::to_string(free_port());
  }
  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
  }
};

}  // namespace

TEST_CASE("gw doctor: a working setup passes with exit 0; the file store is a warning, not a failure") {
  Home h;
  auto d = run_doctor(h.env);
  CHECK_MESSAGE(d.code == 0, d.report.dump(2));
  CHECK(d.report["ok"] == true);
  CHECK(d.check("agents")["verdict"] == "ok");
  CHECK(d.check("agents")["detail"].get<std::string>().find("2.1.197") != std::string::npos);
  CHECK(d.check("sidecar")["verdict"] == "info");
  CHECK(d.check("central")["detail"].get<std::string>().find("not configured") != std::string::npos);
  CHECK(d.check("keychain")["verdict"] == "warn");
  CHECK(d.check("port")["verdict"] == "ok");
}

TEST_CASE("gw doctor: no agent installed fails with the install command") {
  Home h;
  h.env["PATH"] = "/usr/bin:/bin";
  auto d = run_doctor(h.env);
  CHECK(d.code == 1);
  CHECK(d.check("agents")["verdict"] == "fail");
  CHECK(d.check("agents")["fix"].get<std::string>().find("npm install") != std::string::npos);
}

TEST_CASE("gw doctor: a broken policy file fails with its errors and the fix") {
  Home h;
  fs::create_directories(h.dir.path() / "config");
  std::ofstream(h.dir.path() / "config" / "policy.toml") << "version = \"x\"\nbogus_key = 1\n";
  auto d = run_doctor(h.env);
  CHECK(d.code == 1);
  CHECK(d.check("policy")["verdict"] == "fail");
  CHECK(d.check("policy")["detail"].get<std::string>().find("bogus_key") != std::string::npos);
  CHECK(d.check("credentials")["verdict"] == "info");
}

TEST_CASE("gw doctor: a provider without a key fails and says `gw keys set`") {
  Home h;
  h.env.erase("OPENAI_API_KEY");
  auto d = run_doctor(h.env);
  CHECK(d.code == 1);
  CHECK(d.check("credentials")["verdict"] == "fail");
  CHECK(d.check("credentials")["fix"].get<std::string>().find("gw keys set openai") != std::string::npos);
  CHECK(d.check("credentials")["detail"].get<std::string>().find("sk-ant-x") == std::string::npos);  // fingerprints only
}

TEST_CASE("gw doctor: a port held by another program fails with how to find it or move") {
  Home h;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, 1) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  h.env["GW_AGENT_PORT"] = std::to_string(ntohs(a.sin_port));
  auto d = run_doctor(h.env);
  ::close(fd);
  CHECK(d.code == 1);
  CHECK(d.check("port")["verdict"] == "fail");
  CHECK(d.check("port")["fix"].get<std::string>().find("GW_AGENT_PORT") != std::string::npos);
}

TEST_CASE("gw doctor: an audit spool other users can read fails with the chmod") {
  Home h;
  auto spool = h.dir.path() / "state" / "audit";
  fs::create_directories(spool);
  fs::permissions(spool, static_cast<fs::perms>(0755));
  auto d = run_doctor(h.env);
  CHECK(d.code == 1);
  CHECK(d.check("spool")["verdict"] == "fail");
  CHECK(d.check("spool")["fix"].get<std::string>().find("chmod 700") != std::string::npos);
}

TEST_CASE("gw doctor: an unknown secret backend fails the keychain check") {
  Home h;
  h.env["GW_SECRET_BACKEND"] = "vault";
  auto d = run_doctor(h.env);
  CHECK(d.code == 1);
  CHECK(d.check("keychain")["verdict"] == "fail");
}

TEST_CASE("gw doctor: a running sidecar is reported healthy and its port is not a conflict") {
  FakeProvider fake;
  Sidecar gw(fake, {.extra_env = {{"GW_SECRET_BACKEND", "file"}}});
  Env env = gw.env();
  Home h;
  env["PATH"] = h.env["PATH"];
  env["GW_AGENT_PORT"] = std::to_string(gw.port());
  auto d = run_doctor(env);
  CHECK_MESSAGE(d.code == 0, d.report.dump(2));
  CHECK(d.check("sidecar")["verdict"] == "ok");
  CHECK(d.check("sidecar")["detail"].get<std::string>().find("running on 127.0.0.1:" + std::to_string(gw.port())) !=
        std::string::npos);
  CHECK(d.check("port")["verdict"] == "ok");
  CHECK(d.check("policy")["verdict"] == "ok");
}

TEST_CASE("gw doctor: no progress spinner when stderr is not a terminal, nor on a terminal with NO_COLOR") {
  Home home;
  auto spinner_free = [](const std::string& s) { return s.find("\033[K") == std::string::npos && s.find('\r') == std::string::npos; };
  {
    ProcessOptions po;
    po.argv = {std::string(GW_BINARY_DIR) + "/gw", "doctor"};
    po.env = home.env;
    Process p(po);
    REQUIRE(p.wait(std::chrono::seconds(60)).has_value());
    CHECK(spinner_free(p.stderr_text()));
    CHECK(p.stdout_text().find("coding agents installed") != std::string::npos);
  }
  // A real terminal (script(1) gives gw a pty) with NO_COLOR: still no spinner, no colour.
  if (!find_program("script", home.env)) return;
  ProcessOptions po;
  po.argv = {"script", "-qec", std::string(GW_BINARY_DIR) + "/gw doctor", "/dev/null"};
  po.env = home.env;
  po.env["NO_COLOR"] = "1";
  po.env["TERM"] = "xterm";
  Process p(po);
  REQUIRE(p.wait(std::chrono::seconds(60)).has_value());
  std::string out = p.stdout_text();
  CHECK(out.find("coding agents installed") != std::string::npos);
  CHECK(out.find("\033[") == std::string::npos);  // neither spinner nor colour codes
}
