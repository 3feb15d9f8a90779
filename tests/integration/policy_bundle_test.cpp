// Signed policy end to end through the real CLI and a real sidecar: IT makes keys, pins the root,
// delegates a signing key, signs and installs bundles; the running sidecar enforces what the
// bundle says; tampered, rolled-back and unsigned bundles are refused and change nothing.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/common/crypto.hpp"
#include "core/common/files.hpp"
#include "tests/support/gw_cli.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sidecar.hpp"

using namespace gw::test;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::trunc);
  f << text;
}

std::string policy_allowing(const std::string& base, const std::string& models) {
  std::string p = test_policy(base);
  p.replace(p.find("models = [\"*\"]"), 14, "models = [" + models + "]");
  return p;
}

int post_model(Sidecar& sc, const std::string& token, const std::string& path, const std::string& model) {
  auto cli = sc.client();
  httplib::Headers h = {{"Authorization", "Bearer " + token}, {"x-api-key", token}};
  std::string body = path == "/v1/responses" ? R"({"model":")" + model + R"(","input":"hi"})"
                                             : R"({"model":")" + model + R"(","max_tokens":16,"messages":[{"role":"user","content":"hi"}]})";
  auto r = cli.Post(path, h, body, "application/json");
  REQUIRE(r);
  return r->status;
}

struct ItDesk {
  Sidecar& sc;
  fs::path dir;
  CliRun gw(const std::vector<std::string>& args) { return run_gw(sc.env(), args); }
  std::string p(const std::string& name) const { return (dir / name).string(); }
  CliRun sign(const std::string& policy_file, int version, const std::string& out) {
    return gw({"policy", "sign", p(policy_file), "--key", p("signing.key"), "--cert", p("signing.cert"), "--org", "acme",
               "--version", std::to_string(version), "--expires", "7d", "-o", p(out)});
  }
};

}  // namespace

TEST_CASE("policy bundles: sign, install, enforce; tampering, rollback and foreign keys are refused") {
  FakeProvider fake;
  Sidecar sc(fake);
  ItDesk it{sc, sc.home() / "it"};
  fs::create_directories(it.dir);

  REQUIRE(it.gw({"policy", "keygen", "--out", it.p("root")}).code == 0);
  REQUIRE(it.gw({"policy", "keygen", "--out", it.p("signing")}).code == 0);
  CHECK((fs::status(it.p("root.key")).permissions() & fs::perms::group_all) == fs::perms::none);
  auto priv_pin = it.gw({"trust", "add", it.p("root.key"), "--org", "acme"});
  CHECK(priv_pin.code == 1);
  CHECK(priv_pin.err.find("is a PRIVATE key") != std::string::npos);
  REQUIRE(it.gw({"trust", "add", it.p("root.pub"), "--org", "acme"}).code == 0);
  REQUIRE(it.gw({"trust", "delegate", "--root", it.p("root.key"), "--key", it.p("signing.pub"), "-o", it.p("signing.cert")}).code == 0);

  write(it.dir / "claude_only.toml", policy_allowing(fake.base_url(), "\"claude-*\""));
  write(it.dir / "all.toml", policy_allowing(fake.base_url(), "\"*\""));
  write(it.dir / "broken.toml", "version = 3\nnot_a_field = 1\n");
  REQUIRE(it.sign("claude_only.toml", 1, "v1.bundle").code == 0);
  REQUIRE(it.sign("all.toml", 2, "v2.bundle").code == 0);
  auto broken = it.sign("broken.toml", 3, "v3.bundle");
  CHECK(broken.code == 1);
  CHECK(broken.err.find("nothing was signed") != std::string::npos);
  CHECK_FALSE(fs::exists(it.p("v3.bundle")));

  auto verified = it.gw({"policy", "verify", it.p("v1.bundle")});
  CHECK(verified.code == 0);
  CHECK(verified.out.find("OK: valid bundle v1 for acme") != std::string::npos);

  std::string token = sc.mint("claude-code");
  CHECK(post_model(sc, token, "/v1/responses", "gpt-5") == 200);  // the harness policy allows every model

  auto installed = it.gw({"policy", "install", it.p("v1.bundle")});
  REQUIRE_MESSAGE(installed.code == 0, installed.err);
  CHECK(installed.out.find("the running sidecar reloaded it") != std::string::npos);
  CHECK(sc.status()["policy"]["source"] == "bundle v1 (acme)");
  CHECK(post_model(sc, token, "/v1/responses", "gpt-5") == 400);  // now only claude-*
  CHECK(post_model(sc, token, "/v1/messages", "claude-sonnet-4-5") == 200);

  SUBCASE("a tampered bundle is refused and the bundle in force stays") {
    auto env = nlohmann::json::parse(gw::read_file(it.p("v1.bundle")).value());
    std::string payload = *gw::from_base64url(env["payload"].get<std::string>());
    payload.replace(payload.find("claude-*"), 8, "*");
    payload.replace(payload.find("\"version\":1"), 11, "\"version\":9");
    env["payload"] = gw::base64url(payload);
    write(it.dir / "tampered.bundle", env.dump());
    auto r = it.gw({"policy", "install", it.p("tampered.bundle")});
    CHECK(r.code == 1);
    CHECK(r.err.find("modified after signing") != std::string::npos);
    CHECK(sc.status()["policy"]["source"] == "bundle v1 (acme)");
    CHECK(post_model(sc, token, "/v1/responses", "gpt-5") == 400);
  }

  SUBCASE("a newer bundle takes over; going back to the older one is refused as a rollback") {
    REQUIRE(it.gw({"policy", "install", it.p("v2.bundle")}).code == 0);
    CHECK(sc.status()["policy"]["source"] == "bundle v2 (acme)");
    CHECK(post_model(sc, token, "/v1/responses", "gpt-5") == 200);
    auto back = it.gw({"policy", "install", it.p("v1.bundle")});
    CHECK(back.code == 1);
    CHECK(back.err.find("version 1 is older than version 2") != std::string::npos);
    auto show = it.gw({"policy", "show"});
    CHECK(show.code == 0);
    CHECK(show.out.find("policy:    bundle v2 (acme)") != std::string::npos);
    CHECK(show.out.find("org:       acme") != std::string::npos);
    CHECK(show.out.find("expires:   ") != std::string::npos);
    CHECK(show.out.find("sidecar:   running, enforcing bundle v2 (acme)") != std::string::npos);
  }

  SUBCASE("a bundle signed by a key no root authorized is refused") {
    REQUIRE(it.gw({"policy", "keygen", "--out", it.p("rogue")}).code == 0);
    auto r = it.gw({"policy", "sign", it.p("all.toml"), "--key", it.p("rogue.key"), "--org", "acme", "--version", "5",
                    "-o", it.p("rogue.bundle")});
    REQUIRE(r.code == 0);
    auto refused = it.gw({"policy", "install", it.p("rogue.bundle")});
    CHECK(refused.code == 1);
    CHECK(refused.err.find("signed by unknown key") != std::string::npos);
    CHECK(sc.status()["policy"]["source"] == "bundle v1 (acme)");
  }
}

TEST_CASE("policy bundles: a sidecar started on a tampered bundle refuses to start and says why") {
  FakeProvider fake;
  Sidecar sc(fake);
  fs::path dir = sc.home() / "it";
  fs::create_directories(dir);
  auto gw = [&](const std::vector<std::string>& a) { return run_gw(sc.env(), a); };
  REQUIRE(gw({"policy", "keygen", "--out", (dir / "root").string()}).code == 0);
  REQUIRE(gw({"trust", "add", (dir / "root.pub").string(), "--org", "acme"}).code == 0);
  write(dir / "p.toml", test_policy(fake.base_url()));
  REQUIRE(gw({"policy", "sign", (dir / "p.toml").string(), "--key", (dir / "root.key").string(), "--org", "acme",
              "--version", "1", "-o", (dir / "p.bundle").string()})
              .code == 0);
  std::string bytes = gw::read_file(dir / "p.bundle").value();
  bytes[bytes.find("\"payload\": \"") + 20] ^= 1;  // flip a bit inside the payload
  write(dir / "bad.bundle", bytes);
  ProcessOptions po;
  po.argv = {std::string(GW_BINARY_DIR) + "/gw", "agent", "run", "--port", "0", "--idle-exit", "0", "--policy",
             (dir / "bad.bundle").string()};
  po.env = sc.env();
  po.env["GW_STATE_DIR"] = (sc.home() / "state2").string();
  Process p(po);
  auto code = p.wait(std::chrono::seconds(20));
  REQUIRE(code);
  CHECK(*code != 0);
  INFO(p.stderr_text());
  CHECK(p.stderr_text().find("policy bundle refused") != std::string::npos);
}
