// The central gateway end to end with the real Claude Code: IT publishes a signed bundle to a real
// `gw serve`, the developer's sidecar picks it up within its poll interval, the developer logs in
// with a central key issued by `gw admin keys create`, runs `gw claude -p` under it, the central
// sees the run's audit events and spend under the key; then the key is revoked centrally and the
// next launch is refused with gw's message (ADR 0049).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "agent/control_client.hpp"
#include "core/common/crypto.hpp"
#include "core/config/policy.hpp"
#include "tests/e2e/e2e_home.hpp"
#include "tests/support/central.hpp"

using gw::e2e::E2eHome;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_publish_token = "gw-e2e-publish-token";
constexpr const char* k_admin_token = "gw-e2e-admin-token";

gw::Paths paths_of(E2eHome& w) { return {w.home() / "config", w.home() / "state", w.home() / "state" / "run"}; }

// The secret `gw admin keys create` printed once (the indented line after "Secret").
std::string secret_from(const std::string& out) {
  size_t at = out.find("gwk_");
  REQUIRE_MESSAGE(at != std::string::npos, out);
  size_t end = out.find_first_of(" \n", at);
  return out.substr(at, end - at);
}

}  // namespace

TEST_CASE("e2e central: signed bundle picked up, gw login, Claude Code runs as the central key, revocation refuses it") {
  E2eHome w;
  gw::Paths paths = paths_of(w);
  fs::path it = w.home() / "it";
  fs::create_directories(it);
  auto p = [&](const std::string& n) { return (it / n).string(); };
  std::ofstream(it / "publish.token") << k_publish_token;
  std::ofstream(it / "admin.token") << k_admin_token;

  // IT: root and signing keys; the laptop trusts the root.
  REQUIRE(w.gw({"policy", "keygen", "--out", p("root")}).exit_code == 0);
  REQUIRE(w.gw({"policy", "keygen", "--out", p("signing")}).exit_code == 0);
  REQUIRE(w.gw({"trust", "add", p("root.pub"), "--org", "acme"}).exit_code == 0);
  REQUIRE(w.gw({"trust", "delegate", "--root", p("root.key"), "--key", p("signing.pub"), "-o", p("signing.cert")}).exit_code == 0);
  std::string url = w.fake().base_url();
  std::ofstream(it / "bundle.toml")
      << "version = \"central-e2e-v1\"\n[local]\nkey = \"dev\"\n"
      << "[providers.anthropic]\nbase_url = \"" << url << "\"\n"
      << "[prices.\"claude-*\"]\nprovider = \"anthropic\"\ninput = 5\noutput = 25\n"
      << "[teams.payments.budgets.monthly]\nusd = 100\nperiod = \"month\"\n"
      << "[keys.dev]\nproviders = [\"anthropic\"]\nmodels = [\"*\"]\n";
  auto signed_v1 = w.gw({"policy", "sign", p("bundle.toml"), "--key", p("signing.key"), "--cert", p("signing.cert"),
                         "--org", "acme", "--version", "1", "-o", p("v1.bundle")});
  REQUIRE_MESSAGE(signed_v1.exit_code == 0, signed_v1.describe());

  gw::test::Central central("[policy]\norg = \"acme\"\nroots = [\"" + p("root.pub") +
                            "\"]\n[policy.publishers.ci]\nsecret_hash = \"" + gw::config::hash_key_secret(k_publish_token) +
                            "\"\n[admin.tokens.ops]\nsecret_hash = \"" + gw::config::hash_key_secret(k_admin_token) +
                            "\"\nrole = \"admin\"\n");
  // The laptop is enrolled (fleet token) and polls every second.
  central.enroll(paths.config_dir);
  std::ofstream(paths.config_dir / "central.toml", std::ios::app) << "policy_poll_seconds = 1\nkey_poll_seconds = 1\n";
  auto started = w.gw({"agent", "start"});
  REQUIRE_MESSAGE(started.exit_code == 0, started.describe());

  auto published = w.gw({"policy", "publish", p("v1.bundle"), "--server", central.url(), "--token-file", p("publish.token")});
  REQUIRE_MESSAGE(published.exit_code == 0, published.describe());
  auto waited = gw::agent::control_call(paths, {{"op", "policy_wait"}, {"version", 1}, {"timeout_ms", 5000}}, 10000);
  REQUIRE(waited);
  CHECK_MESSAGE((*waited)["ok"] == true, waited->dump());

  // The administrator issues alice's key; alice logs in with it.
  std::vector<std::string> admin = {"admin", "--server", central.url(), "--token-file", p("admin.token")};
  auto add = [&](std::vector<std::string> more) {
    auto v = admin;
    v.insert(v.end(), more.begin(), more.end());
    return v;
  };
  REQUIRE(w.gw(add({"teams", "create", "payments"})).exit_code == 0);
  auto created = w.gw(add({"keys", "create", "alice", "--owner", "alice@example.com", "--team", "payments",
                           "--provider", "anthropic", "--model", "*"}));
  REQUIRE_MESSAGE(created.exit_code == 0, created.describe());
  std::string secret = secret_from(created.out);
  auto login = w.gw({"login", "--server", central.url()}, std::chrono::seconds(60), secret + "\n");
  REQUIRE_MESSAGE(login.exit_code == 0, login.describe());
  CHECK(login.out.find("as alice@example.com (key alice, team payments)") != std::string::npos);

  // Claude Code runs as alice under the published bundle.
  auto run = w.gw({"claude", "-p", "say pong"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.describe());
  CHECK_FALSE(w.model_requests("anthropic").empty());
  auto status = w.gw({"status", "--json"});
  CHECK(status.out.find("\"key\": \"alice\"") != std::string::npos);

  // Its audit events and spend are at the central, under the key.
  auto shipped = gw::agent::control_call(paths, {{"op", "central_wait"}, {"timeout_ms", 5000}}, 10000);
  REQUIRE(shipped);
  CHECK_MESSAGE((*shipped)["ok"] == true, shipped->dump());
  auto events = w.gw(add({"audit", "--key", "alice"}));
  CHECK_MESSAGE(events.exit_code == 0, events.describe());
  CHECK_MESSAGE(events.out.find("alice") != std::string::npos, events.describe());
  auto spend = w.gw(add({"spend", "--by", "key"}));
  CHECK_MESSAGE(spend.exit_code == 0, spend.describe());
  CHECK_MESSAGE(spend.out.find("alice") != std::string::npos, spend.describe());

  // Revoked centrally: the sidecar learns it within its poll interval; the next launch is refused.
  auto revoked = w.gw(add({"keys", "revoke", "alice", "--reason", "laptop lost"}));
  REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.describe());
  auto synced = gw::agent::control_call(paths, {{"op", "key_wait"}, {"timeout_ms", 5000}}, 10000);
  REQUIRE(synced);
  CHECK((*synced)["login"]["refusal"].get<std::string>().find("was revoked") != std::string::npos);
  size_t forwarded = w.model_requests("anthropic").size();
  auto refused = w.gw({"claude", "-p", "say pong"});
  CHECK(refused.exit_code != 0);
  CHECK_MESSAGE((refused.out + refused.err).find("your central key 'alice' (alice@example.com) was revoked by ops") !=
                    std::string::npos,
                refused.describe());
  CHECK_MESSAGE((refused.out + refused.err).find("laptop lost") != std::string::npos, refused.describe());
  CHECK(w.model_requests("anthropic").size() == forwarded);
}
