// The provider proxy follows the signed policy published to the same `gw serve`: a publish is
// enforced from the next request (a key it removes is refused at once), and a restart starts on
// the published bundle rather than the [proxy] policy file.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/integration/proxy_harness.hpp"
#include "core/common/clock.hpp"
#include "core/storage/sqlite_lease_ledger.hpp"
#include "tests/support/gw_cli.hpp"

using namespace gw::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_publish_token = "gw-publish-test-token-proxy";
const std::string k_body = R"({"model":"claude-haiku-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";

int call_as(ProxyCentral& central, const std::string& key) {
  auto cli = central.client();
  auto r = cli.Post("/anthropic/v1/messages", {{"x-api-key", key}, {"anthropic-version", "2023-06-01"}}, k_body,
                    "application/json");
  REQUIRE(r);
  return r->status;
}

}  // namespace

TEST_CASE("provider proxy: a published bundle is enforced from the next request; a key it drops is refused at once") {
  FakeProvider fake;
  TempDir it("gw-it");
  Env env = minimal_env(it.path());
  env["GW_CONFIG_DIR"] = (it.path() / "config").string();
  env["GW_STATE_DIR"] = (it.path() / "state").string();
  auto p = [&](const std::string& n) { return (it.path() / n).string(); };
  REQUIRE(run_gw(env, {"policy", "keygen", "--out", p("root")}).code == 0);
  REQUIRE(run_gw(env, {"policy", "keygen", "--out", p("signing")}).code == 0);
  REQUIRE(run_gw(env, {"trust", "delegate", "--root", p("root.key"), "--key", p("signing.pub"), "--org", "acme", "-o",
                       p("signing.cert")}).code == 0);
  // v1: alice only (bob's key is gone).
  std::string v1 = proxy_policy(fake.base_url());
  v1.replace(v1.find("version = \"test\""), 16, "version = \"v1\"");
  v1.erase(v1.find("[keys.bob]"), v1.find("[audit]") - v1.find("[keys.bob]"));
  // A budget of a signed bundle: charged to the central ledger that sidecars lease from.
  v1.replace(v1.find("[audit]"), 7, "budgets.daily = { usd = 100, period = \"day\" }\n[audit]");
  std::ofstream(it.path() / "v1.toml") << v1;
  auto signed_v1 = run_gw(env, {"policy", "sign", p("v1.toml"), "--key", p("signing.key"), "--cert", p("signing.cert"),
                                "--org", "acme", "--version", "1", "-o", p("v1.bundle")});
  REQUIRE_MESSAGE(signed_v1.code == 0, signed_v1.err);

  ProxyCentral central(fake, {.server_extra = "[policy]\norg = \"acme\"\nroots = [\"" + p("root.pub") +
                                              "\"]\n[policy.publishers.ci]\nsecret_hash = \"" +
                                              gw::config::hash_key_secret(k_publish_token) + "\"\n"});
  CHECK(call_as(central, k_bob_secret) == 200);  // the [proxy] policy file knows bob
  CHECK(call_as(central, k_alice_secret) == 200);

  Env pub = env;
  pub["GW_PUBLISH_TOKEN"] = k_publish_token;
  auto published = run_gw(pub, {"policy", "publish", p("v1.bundle"), "--server", central.url(), "--ca-file",
                                central.tls().cert.string()});
  REQUIRE_MESSAGE(published.code == 0, published.err);
  CHECK(call_as(central, k_bob_secret) == 401);  // at once: no poll interval at the central
  CHECK(call_as(central, k_alice_secret) == 200);
  auto health = central.client().Get("/v1/health");
  REQUIRE(health);
  CHECK(json::parse(health->body)["policy"] == "v1");

  // A restart starts on the published bundle, not on the [proxy] policy file.
  central.stop();
  {
    // alice's spend through the proxy is in the central ledger (the proxy's lease was released
    // with its spend reported when it stopped).
    auto ledger = gw::storage::SqliteLeaseLedger::open(central.dir() / "central.db");
    REQUIRE(ledger);
    auto views = (*ledger)->current(gw::SystemClock().now_ms());
    REQUIRE(views);
    int64_t settled = -1;
    for (const auto& v : *views)
      if (v.row.ref.scope == "key:alice" && v.row.ref.budget == "daily") settled = v.row.settled_nano;
    CHECK(settled > 0);
  }
  central.start();
  CHECK(central.process().stderr_text().find("\"proxy_policy\":\"v1\"") != std::string::npos);
  CHECK(call_as(central, k_bob_secret) == 401);
  CHECK(call_as(central, k_alice_secret) == 200);
}
