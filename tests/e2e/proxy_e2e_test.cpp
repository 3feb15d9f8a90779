// The real Claude Code pointed straight at the provider proxy of `gw serve` (no sidecar): its
// base URL is the central's /anthropic over TLS, its API key a virtual key, the central's
// certificate trusted through NODE_EXTRA_CA_CERTS. The provider sees only the central's key.
#include <doctest/doctest.h>

#include "tests/e2e/e2e_home.hpp"
#include "tests/integration/proxy_harness.hpp"

using namespace gw::test;
namespace fs = std::filesystem;

TEST_CASE("e2e proxy: Claude Code talks to gw serve's provider proxy with a virtual key; audit reaches the store") {
  FakeProvider fake({.expect_keys = {std::string("anthropic=") + k_anthropic_key}});
  ProxyCentral central(fake);
  TempDir home("gw-e2e-proxy");
  fs::create_directories(home.path() / "work");
  ProcessOptions po;
  po.argv = {"claude", "-p", "say pong"};
  po.env = minimal_env(home.path());
  po.env["PATH"] = gw::e2e::agents_bin_dir().string() + ":" + po.env["PATH"];
  po.env["ANTHROPIC_BASE_URL"] = central.proxy_url() + "/anthropic";
  po.env["ANTHROPIC_API_KEY"] = k_alice_secret;
  po.env["NODE_EXTRA_CA_CERTS"] = central.tls().cert.string();
  po.env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
  po.env["DISABLE_TELEMETRY"] = "1";
  po.env["TERM"] = "dumb";
  po.cwd = home.path() / "work";
  Process claude(po);
  auto code = claude.wait(std::chrono::seconds(180));
  CAPTURE(claude.stdout_text());
  CAPTURE(claude.stderr_text());
  CAPTURE(central.process().stderr_text());
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK(claude.stdout_text().find("pong") != std::string::npos);

  size_t messages = 0;
  for (const auto& r : fake.requests()) {
    CHECK(r.dump().find(k_alice_secret) == std::string::npos);
    if (r.value("path", "") != "/v1/messages") continue;
    ++messages;
    for (const auto& h : r["headers"])
      if (h[0] == "x-api-key") CHECK(h[1] == k_anthropic_key);
  }
  CHECK(messages >= 1);

  central.stop();
  bool completed_by_claude = false;
  for (const auto& e : central.proxy_events())
    if (e.value("kind", "") == "completed" && e.value("agent", "") == "claude-code" && e.value("virtual_key_id", "") == "alice" &&
        e.value("http_status", 0) == 200)
      completed_by_claude = true;
  CHECK(completed_by_claude);
}
