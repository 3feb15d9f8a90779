// Signed policy through the central gateway: IT publishes to `gw serve`, which verifies before it
// serves; an enrolled sidecar fetches within its poll interval, verifies again, enforces the new
// policy and audits the change. A tampered or rolled-back publish is refused by the central.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "agent/control_client.hpp"
#include "core/common/crypto.hpp"
#include "core/common/files.hpp"
#include "core/config/policy.hpp"
#include "tests/support/central.hpp"
#include "tests/support/gw_cli.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sidecar.hpp"

using namespace gw::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_publish_token = "gw-publish-test-token-42";

void append(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::app);
  f << text;
}

std::string policy_allowing(const std::string& base, const std::string& models) {
  std::string p = test_policy(base);
  p.replace(p.find("models = [\"*\"]"), 14, "models = [" + models + "]");
  return p;
}

int post_model(Sidecar& sc, const std::string& token, const std::string& model) {
  auto cli = sc.client();
  auto r = cli.Post("/v1/responses", {{"Authorization", "Bearer " + token}},
                    R"({"model":")" + model + R"(","input":"hi"})", "application/json");
  REQUIRE(r);
  return r->status;
}

// Waits (bounded) until the sidecar's fetcher has swapped in bundle `version`, then returns the
// policy source the sidecar reports. The fetcher polls every second; the control op blocks on
// the fetcher's own signal, at most 5 s per call.
std::string wait_for_version(Sidecar& sc, int version) {
  for (int i = 0; i < 6; ++i) {
    auto r = gw::agent::control_call(sc.paths(), {{"op", "policy_wait"}, {"version", version}, {"timeout_ms", 5000}}, 10000);
    if (r && r->value("ok", false)) break;
  }
  return sc.status()["policy"]["source"].get<std::string>();
}

}  // namespace

TEST_CASE("central policy: publish, fetch within the poll interval, enforce, audit; bad publishes are refused") {
  FakeProvider fake;
  Sidecar sc(fake);
  fs::path it = sc.home() / "it";
  fs::create_directories(it);
  auto gw = [&](const std::vector<std::string>& a) { return run_gw(sc.env(), a); };
  auto p = [&](const std::string& n) { return (it / n).string(); };
  REQUIRE(gw({"policy", "keygen", "--out", p("root")}).code == 0);
  REQUIRE(gw({"policy", "keygen", "--out", p("signing")}).code == 0);
  REQUIRE(gw({"trust", "add", p("root.pub"), "--org", "acme"}).code == 0);
  REQUIRE(gw({"trust", "delegate", "--root", p("root.key"), "--key", p("signing.pub"), "-o", p("signing.cert")}).code == 0);
  auto sign = [&](const std::string& file, int version, const std::string& out) {
    return gw({"policy", "sign", p(file), "--key", p("signing.key"), "--cert", p("signing.cert"), "--org", "acme",
               "--version", std::to_string(version), "-o", p(out)});
  };
  {
    std::ofstream(it / "claude_only.toml") << policy_allowing(fake.base_url(), "\"claude-*\"");
    std::ofstream(it / "all.toml") << policy_allowing(fake.base_url(), "\"*\"");
  }
  REQUIRE(sign("claude_only.toml", 1, "v1.bundle").code == 0);
  REQUIRE(sign("all.toml", 2, "v2.bundle").code == 0);

  Central central("[policy]\norg = \"acme\"\nroots = [\"" + p("root.pub") + "\"]\n[policy.publishers.ci]\nsecret_hash = \"" +
                  gw::config::hash_key_secret(k_publish_token) + "\"\n");
  central.enroll(sc.paths().config_dir);
  append(sc.paths().config_dir / "central.toml", "policy_poll_seconds = 1\n");
  auto reloaded = gw::agent::control_call(sc.paths(), {{"op", "reload"}});
  REQUIRE(reloaded);
  REQUIRE_MESSAGE(reloaded->value("ok", false), reloaded->dump());

  Env pub_env = sc.env();
  pub_env["GW_PUBLISH_TOKEN"] = k_publish_token;
  auto publish = [&](const std::string& bundle) {
    return run_gw(pub_env, {"policy", "publish", p(bundle), "--server", central.url()});
  };
  std::string token = sc.mint("codex");
  CHECK(post_model(sc, token, "gpt-5") == 200);  // the harness policy allows every model

  auto first = publish("v1.bundle");
  REQUIRE_MESSAGE(first.code == 0, first.err);
  CHECK(first.out.find("published: bundle v1 for acme") != std::string::npos);
  REQUIRE(wait_for_version(sc, 1) == "bundle v1 (acme)");
  CHECK(post_model(sc, token, "gpt-5") == 400);

  // A publisher without the token is refused; so is a tampered bundle, before any laptop sees it.
  auto anonymous = run_gw(sc.env(), {"policy", "publish", p("v2.bundle"), "--server", central.url()});
  CHECK(anonymous.code == 1);
  CHECK(anonymous.err.find("no publisher token") != std::string::npos);
  auto env = nlohmann::json::parse(gw::read_file(p("v2.bundle")).value());
  std::string payload = *gw::from_base64url(env["payload"].get<std::string>());
  payload.replace(payload.find("\"version\":2"), 11, "\"version\":7");
  env["payload"] = gw::base64url(payload);
  std::ofstream(it / "tampered.bundle") << env.dump();
  auto tampered = publish("tampered.bundle");
  CHECK(tampered.code == 1);
  CHECK(tampered.err.find("HTTP 422") != std::string::npos);
  CHECK(tampered.err.find("modified after signing") != std::string::npos);

  REQUIRE(publish("v2.bundle").code == 0);
  REQUIRE(wait_for_version(sc, 2) == "bundle v2 (acme)");
  CHECK(post_model(sc, token, "gpt-5") == 200);
  auto rollback = publish("v1.bundle");
  CHECK(rollback.code == 1);
  CHECK(rollback.err.find("HTTP 409") != std::string::npos);
  CHECK(rollback.err.find("version 1 is older than version 2") != std::string::npos);

  auto fetched = gw({"policy", "fetch"});
  CHECK(fetched.code == 0);
  CHECK(fetched.out.find("policy fetch: not modified") != std::string::npos);
  auto status = gw({"status"});
  CHECK(status.out.find("policy:     bundle v2 (acme)") != std::string::npos);
  CHECK(status.out.find("fetched from " + central.url() + ": ok, last good check") != std::string::npos);
  auto show = gw({"policy", "show"});
  CHECK(show.out.find("from:      " + central.url()) != std::string::npos);

  // Both changes are in the audit trail, and the trail still verifies.
  auto tail = gw({"audit", "tail", "-n", "200"});
  CHECK(tail.out.find("installed policy bundle v1 (acme)") != std::string::npos);
  CHECK(tail.out.find("installed policy bundle v2 (acme)") != std::string::npos);
  CHECK(gw({"audit", "verify"}).code == 0);
}
