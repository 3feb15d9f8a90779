// Shared budgets through a real `gw serve` (ADR 0046): two sidecars (two developers' machines,
// temp homes) spend one team budget through leases; the central is stopped and one sidecar spends
// at most its lease, then refuses; the central comes back and the sidecar recovers.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "agent/control_client.hpp"
#include "core/config/policy.hpp"
#include "core/storage/sqlite_lease_ledger.hpp"
#include "tests/support/central.hpp"
#include "tests/support/gw_cli.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sidecar.hpp"

using namespace gw::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* k_publish_token = "gw-publish-test-token-leases";
// gpt-5 at $1000 per million tokens: a request of ~60 bytes with max_output_tokens 10 reserves
// about $0.03 and costs about $0.017 (the fake reports body bytes / 4 input and 2 output tokens).
constexpr const char* k_body = R"({"model":"gpt-5","input":"hi","max_output_tokens":10})";

std::string policy_with_team_budget(const std::string& base, const std::string& usd) {
  return test_policy(base) + "team = \"platform\"\n" +
         "[teams.platform]\nbudgets.daily = { usd = " + usd + ", period = \"day\" }\n" +
         "[prices.\"gpt-5\"]\ninput = 1000.0\noutput = 1000.0\n";
}

// IT's side: root and signing keys, a central that distributes the signed policy and leases its
// budgets, and sidecars enrolled with it that trust the root.
struct Org {
  FakeProvider& fake;
  TempDir it{"gw-it"};
  std::unique_ptr<Central> central;

  Org(FakeProvider& f, Sidecar& first, const std::string& usd) : fake(f) {
    auto p = [&](const std::string& n) { return (it.path() / n).string(); };
    auto gw = [&](const std::vector<std::string>& a) { return run_gw(first.env(), a); };
    REQUIRE(gw({"policy", "keygen", "--out", p("root")}).code == 0);
    REQUIRE(gw({"policy", "keygen", "--out", p("signing")}).code == 0);
    REQUIRE(gw({"trust", "delegate", "--root", p("root.key"), "--key", p("signing.pub"), "--org", "acme", "-o",
               p("signing.cert")}).code == 0);
    std::ofstream(it.path() / "team.toml") << policy_with_team_budget(fake.base_url(), usd);
    REQUIRE(gw({"policy", "sign", p("team.toml"), "--key", p("signing.key"), "--cert", p("signing.cert"), "--org", "acme",
                "--version", "1", "-o", p("v1.bundle")})
                .code == 0);
    central = std::make_unique<Central>("[policy]\norg = \"acme\"\nroots = [\"" + p("root.pub") +
                                        "\"]\n[policy.publishers.ci]\nsecret_hash = \"" +
                                        gw::config::hash_key_secret(k_publish_token) +
                                        "\"\n[leases]\nslice_percent = 20\n");
    Env env = first.env();
    env["GW_PUBLISH_TOKEN"] = k_publish_token;
    auto pub = run_gw(env, {"policy", "publish", p("v1.bundle"), "--server", central->url()});
    REQUIRE_MESSAGE(pub.code == 0, pub.err);
  }

  // Trusts the root, enrolls with the central and waits until bundle v1 is in force.
  void join(Sidecar& sc) {
    REQUIRE(run_gw(sc.env(), {"trust", "add", (it.path() / "root.pub").string(), "--org", "acme"}).code == 0);
    central->enroll(sc.paths().config_dir);
    std::ofstream(sc.paths().config_dir / "central.toml", std::ios::app) << "policy_poll_seconds = 1\n";
    auto reloaded = gw::agent::control_call(sc.paths(), {{"op", "reload"}});
    REQUIRE(reloaded);
    REQUIRE_MESSAGE(reloaded->value("ok", false), reloaded->dump());
    bool swapped = false;
    for (int i = 0; i < 6 && !swapped; ++i) {
      auto r = gw::agent::control_call(sc.paths(), {{"op", "policy_wait"}, {"version", 1}, {"timeout_ms", 5000}}, 10000);
      swapped = r && r->value("ok", false);
    }
    REQUIRE(swapped);
  }
};

struct Reply {
  int status = 0;
  std::string body;
};

Reply post(Sidecar& sc, const std::string& token) {
  auto cli = sc.client();
  auto r = cli.Post("/v1/responses", {{"Authorization", "Bearer " + token}}, k_body, "application/json");
  REQUIRE(r);
  return {r->status, r->body};
}

// This device's settled spend on the team budget, from gw status.
int64_t team_spend(Sidecar& sc) {
  auto st = sc.status();
  for (const auto& k : st["keys"])
    for (const auto& b : k["budgets"])
      if (b["scope"] == "team") return b["spent_nano"].get<int64_t>();
  FAIL("no team budget in gw status: " << st.dump());
  return 0;
}

json lease_sync(Sidecar& sc) {
  auto r = gw::agent::control_call(sc.paths(), {{"op", "lease_sync"}}, 20000);
  REQUIRE(r);
  return *r;
}

// The central ledger's view of the team budget (a second connection to the central's store).
gw::storage::BudgetRow central_row(Central& c) {
  auto ledger = gw::storage::SqliteLeaseLedger::open(c.db_path());
  REQUIRE(ledger);
  auto views = (*ledger)->current(0);
  REQUIRE(views);
  for (const auto& v : *views)
    if (v.row.ref.scope == "team:platform") return v.row;
  FAIL("no team:platform window in the central ledger");
  return {};
}

}  // namespace

TEST_CASE("leases: two developers' sidecars share one team budget; together they never overspend it") {
  FakeProvider fake;
  Sidecar alice(fake), bob(fake);
  Org org(fake, alice, "0.5");
  org.join(alice);
  org.join(bob);
  std::string ta = alice.mint("codex"), tb = bob.mint("codex");

  int admitted_a = 0, admitted_b = 0;
  std::string refusal_a, refusal_b;
  for (int i = 0; i < 200 && (refusal_a.empty() || refusal_b.empty()); ++i) {
    for (auto* who : {&alice, &bob}) {
      bool is_a = who == &alice;
      std::string& refusal = is_a ? refusal_a : refusal_b;
      if (!refusal.empty()) continue;
      Reply r = post(*who, is_a ? ta : tb);
      if (r.status == 200) (is_a ? admitted_a : admitted_b)++;
      else refusal = r.body;
      // The invariant at every step: what both devices spent never exceeds the budget.
      CHECK(team_spend(alice) + team_spend(bob) <= 500'000'000);
    }
  }
  INFO("alice refused with: " << refusal_a);
  INFO("bob refused with: " << refusal_b);
  std::string central_log = org.central->process().stderr_text();
  INFO("central log (end): " << central_log.substr(central_log.size() > 3000 ? central_log.size() - 3000 : 0));
  CHECK(admitted_a > 5);
  CHECK(admitted_b > 5);
  CHECK(refusal_a.find("is exhausted at the central gateway") != std::string::npos);
  CHECK(refusal_b.find("is exhausted at the central gateway") != std::string::npos);
  CHECK(refusal_a.find("budget 'daily' of team platform") != std::string::npos);
  const int64_t spent = team_spend(alice) + team_spend(bob);
  CHECK(spent <= 500'000'000);
  CHECK(spent >= 400'000'000);  // the budget was shared, not stranded in idle leases

  // The central's ledger has both devices' spend once they reported it.
  CHECK(lease_sync(alice).value("renewed", 0) == 1);
  CHECK(lease_sync(bob).value("renewed", 0) == 1);
  auto row = central_row(*org.central);
  CHECK(row.limit_nano == 500'000'000);
  CHECK(row.settled_nano == spent);

  // gw status shows the lease on one line.
  auto status = run_gw(alice.env(), {"status"});
  CHECK(status.out.find("leases:     team:platform 'daily' $") != std::string::npos);
}

TEST_CASE("leases: with the central stopped a sidecar spends at most its lease, then refuses; it recovers") {
  FakeProvider fake;
  Sidecar alice(fake);
  Org org(fake, alice, "1");
  org.join(alice);
  std::string token = alice.mint("codex");
  REQUIRE(post(alice, token).status == 200);  // acquires a lease of $0.20 (20 % of $1)
  REQUIRE(lease_sync(alice).value("renewed", 0) == 1);
  auto lease = alice.status()["leases"]["leases"][0];
  const int64_t held = lease["balance_nano"].get<int64_t>();
  CHECK(held > 100'000'000);
  const int64_t before = team_spend(alice);

  org.central->stop();
  int offline_ok = 0;
  std::string refusal;
  for (int i = 0; i < 100 && refusal.empty(); ++i) {
    Reply r = post(alice, token);
    if (r.status == 200) ++offline_ok;
    else refusal = r.body;
  }
  const int64_t offline_spend = team_spend(alice) - before;
  CHECK(offline_ok > 3);
  CHECK(offline_spend <= held);  // the overspend an offline laptop can make is bounded by its lease
  CHECK(held - offline_spend < 40'000'000);  // ...and it could use what it held
  CHECK(refusal.find("the central gateway cannot be reached to top up this device's lease on budget 'daily' of "
                     "team platform") != std::string::npos);
  CHECK(refusal.find("reconnect to continue") != std::string::npos);
  auto st = alice.status();
  CHECK(st["leases"]["leases"][0]["state"] == "offline");
  auto metrics = gw::agent::control_call(alice.paths(), {{"op", "metrics"}});
  REQUIRE(metrics);
  std::string text = metrics->value("text", "");
  CHECK(text.find("gw_lease_offline{scope=\"team:platform\",budget=\"daily\"} 1") != std::string::npos);
  CHECK(text.find("gw_denials_total{reason=\"lease_offline\"") != std::string::npos);

  org.central->start();  // the same port and store
  auto synced = lease_sync(alice);
  CHECK(synced.value("renewed", 0) == 1);
  CHECK(post(alice, token).status == 200);
  REQUIRE(lease_sync(alice).value("renewed", 0) == 1);
  // Everything spent, online and offline, is settled at the central.
  CHECK(central_row(*org.central).settled_nano == team_spend(alice));
  // The refusal is in the audit trail with its reason (written when the refused request ended,
  // several round trips ago).
  auto tail = run_gw(alice.env(), {"audit", "tail", "-n", "50", "--json"});
  CHECK(tail.out.find("cannot be reached to top up this device") != std::string::npos);
}
