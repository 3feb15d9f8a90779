// The team lead's walk-through (docs/policy.md, "Worked example"), with the real Claude Code and
// Codex: a policy like examples/policy/team.toml pointed at the fake provider passes `gw policy
// check`; Alice's Claude Code run is charged to her key, the team and the org (`gw status --json`,
// `gw usage --json`); the team budget then stops Bob's Codex; rate limits answer 429 with
// retry-after that the agents wait out when the wait is short, and a readable refusal naming the
// time to retry when it is long (ADR 0037); a key disabled or expired + `gw agent reload` is
// refused at once, without retries.
#include <doctest/doctest.h>

#include <fstream>
#include <map>

#include <unistd.h>

#include "agent/control_client.hpp"
#include "tests/e2e/e2e_home.hpp"
#include "tests/support/exposition_parser.hpp"
#include "tests/support/http_client.hpp"

using gw::e2e::E2eHome;
using nlohmann::json;

namespace {

const std::vector<std::string> k_claude = {"claude", "-p", "--model", "claude-sonnet-4-5", "say pong"};
const std::vector<std::string> k_codex = {"codex", "exec", "-m", "gpt-5-codex", "--skip-git-repo-check", "--ephemeral",
                                          "-s", "read-only", "say pong"};
const std::vector<std::string> k_gemini = {"gemini", "-p", "say pong"};

struct TeamPolicy {
  std::string local = "alice";
  std::string team_daily_usd = "0.40";
  std::string alice_extra;  // lines appended to [keys.alice]
  std::string bob_extra;    // lines appended to [keys.bob]
};

// examples/policy/team.toml adapted to the fake provider: real-looking prices, a reservation cap
// that keeps holds small, a team budget sized so that one Claude Code turn of Alice's (with 15000
// reasoning tokens injected by the fake) leaves less than one Codex turn of Bob's.
void write_team_policy(E2eHome& w, const TeamPolicy& t) {
  std::string url = w.fake().base_url();
  std::ofstream(w.home() / "config" / "policy.toml", std::ios::trunc)
      << "version = \"e2e team " << t.local << " " << t.team_daily_usd << "\"\n"
      << "enforce_auth = true\n"
      << "[local]\nkey = \"" << t.local << "\"\n"
      << "[providers.anthropic]\nbase_url = \"" << url << "\"\n"
      << "[providers.openai]\nbase_url = \"" << url << "\"\n"
      << "[providers.gemini]\nbase_url = \"" << url << "\"\n"
      << "[prices.\"claude-*\"]\nprovider = \"anthropic\"\ninput = 3\noutput = 15\n"
      << "[prices.\"gpt-*\"]\nprovider = \"openai\"\ninput = 1.25\noutput = 10\n"
      << "[prices.\"gemini-*\"]\nprovider = \"gemini\"\ninput = 1.25\noutput = 10\n"
      << "[reservation]\ndefault_max_output_tokens = 16000\nmax_output_tokens_cap = 16000\n"
      << "[org]\nbudgets.monthly = { usd = 5000, period = \"month\" }\n"
      << "limits = { requests_per_minute = 3000 }\n"
      << "[teams.platform]\nbudgets.daily = { usd = " << t.team_daily_usd << ", period = \"day\" }\n"
      << "limits = { tokens_per_minute = 4000000, concurrent = 40 }\n"
      << "[keys.alice]\nowner = \"alice@example.com\"\nteam = \"platform\"\n"
      << "secret_hash = \"sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"\n"
      << "providers = [\"anthropic\", \"openai\", \"gemini\"]\nmodels = [\"claude-*\", \"gpt-5*\", \"gemini-*\"]\n"
      << "deny_models = [\"claude-opus-*\"]\n"
      << "budgets.daily = { usd = 20, period = \"day\" }\n"
      << "budgets.weekly = { usd = 80, period = \"week\", window = \"rolling\" }\n"
      << t.alice_extra
      << "[keys.bob]\nowner = \"bob@example.com\"\nteam = \"platform\"\n"
      << "secret_hash = \"sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9\"\n"
      << "providers = [\"anthropic\", \"openai\"]\nmodels = [\"claude-sonnet-*\", \"gpt-*\"]\n"
      << "budgets.daily = { usd = 15, period = \"day\" }\n"
      << t.bob_extra;
}

gw::Paths paths_of(E2eHome& w) {
  return {w.home() / "config", w.home() / "state", w.home() / "state" / "run"};
}

void reload(E2eHome& w) {
  auto r = w.gw({"agent", "reload"}, std::chrono::seconds(20));
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
}

json json_of(E2eHome& w, const std::vector<std::string>& args) {
  auto r = w.gw(args, std::chrono::seconds(20));
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
  json j = json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE(!j.is_discarded(), r.out);
  return j;
}

// spent_nano of the budget `name` at `scope` in `gw status --json`, seen from key `key`.
int64_t spent(const json& status, const std::string& key, const std::string& scope, const std::string& name) {
  for (const auto& k : status.value("keys", json::array())) {
    if (k.value("key", "") != key) continue;
    for (const auto& b : k["budgets"])
      if (b.value("scope", "") == scope && b.value("name", "") == name) return b.value("spent_nano", int64_t{-1});
  }
  FAIL("no budget " << scope << "/" << name << " for key " << key << " in " << status.dump());
  return -1;
}

int64_t usage_cost(const json& usage, const std::string& key) {
  for (const auto& row : usage)
    if (row.value("key", "") == key) return row.value("cost_nano_usd", int64_t{0});
  return 0;
}

double denials(E2eHome& w, const std::string& agent, const std::string& reason) {
  auto r = w.gw({"metrics"}, std::chrono::seconds(20));
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
  gw::test::Exposition e;
  std::string err;
  REQUIRE_MESSAGE(gw::test::parse_exposition(r.out, e, err), err);
  double total = 0;
  for (const auto& s : e.samples) {
    if (s.name != "gw_denials_total") continue;
    if (s.labels.count("agent") && s.labels.at("agent") == agent && s.labels.count("reason") &&
        s.labels.at("reason") == reason)
      total += s.value;
  }
  return total;
}

bool shows(const gw::e2e::RunResult& r, const std::string& text) {
  return (r.out + r.err).find(text) != std::string::npos;
}

// A request of the launcher's key sent straight to the sidecar (a plain HTTP client, not an agent).
httplib::Result direct_request(E2eHome& w) {
  auto minted = gw::agent::control_call(paths_of(w), {{"op", "mint"}, {"agent", "other"}, {"pid", ::getpid()}, {"ttl_s", 600}});
  REQUIRE(minted);
  REQUIRE(minted->value("ok", false));
  auto cli = gw::test::make_client("http://127.0.0.1:" + std::to_string(minted->value("port", 0)));
  return cli.Post("/anthropic/v1/messages",
                  {{"Authorization", "Bearer " + minted->value("token", "")}},
                  R"({"model":"claude-haiku-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})",
                  "application/json");
}

}  // namespace

TEST_CASE("e2e team: the lead's walk-through with Claude Code and Codex under one team policy") {
  E2eHome w;
  // The shipped example passes the same check the sidecar runs.
  auto example = w.gw({"policy", "check", std::string(GW_SOURCE_DIR) + "/examples/policy/team.toml"});
  CHECK_MESSAGE(example.exit_code == 0, example.describe());

  write_team_policy(w, {});
  auto check = w.gw({"policy", "check", (w.home() / "config" / "policy.toml").string()});
  REQUIRE_MESSAGE(check.exit_code == 0, check.describe());
  CHECK(check.out.find(": OK") != std::string::npos);

  // Alice's default model (Opus) is denied to her key: refused by name, nothing spent.
  auto opus = w.gw({"claude", "-p", "say pong"});
  CHECK_MESSAGE(opus.exit_code != 0, opus.describe());
  CHECK_MESSAGE(shows(opus, "is not allowed for key 'alice'"), opus.describe());
  CHECK(w.model_requests("anthropic").empty());

  // Alice works with Sonnet; the model thinks a lot (15000 reasoning tokens).
  w.fake().control({{"mode", "usage"}, {"reasoning", 15000}, {"api", "anthropic"}});
  auto alice = w.gw(k_claude);
  REQUIRE_MESSAGE(alice.exit_code == 0, alice.describe());
  CHECK(alice.out.find("pong") != std::string::npos);
  CHECK(w.model_requests("anthropic").size() == 1);

  // Her spend is charged to her key, the team and the org, and gw usage agrees.
  json st = json_of(w, {"status", "--json"});
  int64_t alice_cost = spent(st, "alice", "key", "daily");
  CHECK(alice_cost > 225'000'000);  // the 15000 reasoning tokens alone cost $0.225
  CHECK(spent(st, "alice", "key", "weekly") == alice_cost);
  CHECK(spent(st, "alice", "team", "daily") == alice_cost);
  CHECK(spent(st, "alice", "org", "monthly") == alice_cost);
  CHECK(spent(st, "bob", "team", "daily") == alice_cost);  // Bob sees the team's spend too
  CHECK(spent(st, "bob", "key", "daily") == 0);
  json usage = json_of(w, {"usage", "--by", "key", "--json"});
  CHECK(usage_cost(usage, "alice") == alice_cost);

  // Bob (the launcher now runs as key bob): the team budget has too little left for his turn.
  write_team_policy(w, {.local = "bob"});
  reload(w);
  auto bob = w.gw(k_codex);
  CHECK_MESSAGE(bob.exit_code != 0, bob.describe());
  CHECK_MESSAGE(shows(bob, "budget 'daily' of team platform exhausted"), bob.describe());
  CHECK(w.model_requests("openai").empty());
  CHECK(denials(w, "codex", "budget") == 1);  // refused once, not retried

  // The lead raises the team budget: Bob's turn runs and is charged at every level.
  write_team_policy(w, {.local = "bob", .team_daily_usd = "5"});
  reload(w);
  auto bob2 = w.gw(k_codex);
  REQUIRE_MESSAGE(bob2.exit_code == 0, bob2.describe());
  CHECK(w.model_requests("openai").size() == 1);
  st = json_of(w, {"status", "--json"});
  int64_t bob_cost = spent(st, "bob", "key", "daily");
  CHECK(bob_cost > 0);
  CHECK(spent(st, "bob", "team", "daily") == alice_cost + bob_cost);
  CHECK(spent(st, "alice", "org", "monthly") == alice_cost + bob_cost);
  CHECK(spent(st, "alice", "key", "daily") == alice_cost);
  usage = json_of(w, {"usage", "--by", "key", "--json"});
  CHECK(usage_cost(usage, "bob") == bob_cost);
  MESSAGE("charged: alice $" << alice_cost / 1e9 << ", bob $" << bob_cost / 1e9);

  // Bob's key expires: after a reload his next turn is refused at once, once.
  write_team_policy(w, {.local = "bob", .team_daily_usd = "5", .bob_extra = "expires = 2026-01-01T00:00:00Z\n"});
  reload(w);
  auto expired = w.gw(k_codex);
  CHECK_MESSAGE(expired.exit_code != 0, expired.describe());
  CHECK_MESSAGE(shows(expired, "virtual key 'bob' has expired"), expired.describe());
  CHECK(denials(w, "codex", "auth") == 1);
  CHECK(w.model_requests("openai").size() == 1);

  // Alice's key is disabled: the same.
  write_team_policy(w, {.local = "alice", .team_daily_usd = "5", .alice_extra = "enabled = false\n"});
  reload(w);
  auto disabled = w.gw(k_claude);
  CHECK_MESSAGE(disabled.exit_code != 0, disabled.describe());
  CHECK_MESSAGE(shows(disabled, "virtual key 'alice' is disabled by policy"), disabled.describe());
  CHECK(denials(w, "claude-code", "auth") == 1);
  CHECK(w.model_requests("anthropic").size() == 1);
}

TEST_CASE("e2e team: a short requests-per-minute wait is a 429 that Claude Code waits out") {
  E2eHome w;
  // 4 a minute: one every 15 s once the burst is spent.
  write_team_policy(w, {.team_daily_usd = "50", .alice_extra = "limits = { requests_per_minute = 4 }\n"});
  auto started = w.gw({"agent", "start"}, std::chrono::seconds(30));
  REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
  for (int i = 0; i < 4; ++i) {
    auto r = direct_request(w);
    REQUIRE(r);
    REQUIRE(r->status == 200);
  }
  // A plain client gets 429, retry-after and the reason in Anthropic's error shape.
  auto refused = direct_request(w);
  REQUIRE(refused);
  CHECK(refused->status == 429);
  REQUIRE(refused->has_header("retry-after"));
  int retry_after = std::stoi(refused->get_header_value("retry-after"));
  CHECK(retry_after >= 14);
  CHECK(retry_after <= 15);
  json body = json::parse(refused->body, nullptr, false);
  CHECK(body["error"]["type"] == "rate_limit_error");
  CHECK(body["error"]["message"].get<std::string>().starts_with("gw: rate limit of key alice: 4 requests per minute; retry in "));

  auto run = w.gw(k_claude);
  CHECK_MESSAGE(run.exit_code == 0, run.describe());
  CHECK(run.out.find("pong") != std::string::npos);
  double refused_claude = denials(w, "claude-code", "rpm");
  CHECK(refused_claude >= 1);
  CHECK_MESSAGE(refused_claude <= 2, refused_claude << " refused requests: Claude Code did not wait for retry-after");
}

TEST_CASE("e2e team: a long rate-limit wait is refused at once with the time to retry, for each agent") {
  struct Case {
    const char* agent;
    const std::vector<std::string>* argv;
    const char* limits;
    json fault;  // queued at the fake before the first run (null: none)
    const char* reason;
    const char* says;
    int warmup_runs;
  };
  // Each wait is far above the 20 s gw asks an agent to sit through, whatever the machine's speed.
  // Codex: 1 request a minute, the second turn would wait ~60 s. Claude Code: 40000 tokens a
  // minute; a turn reserves ~44k (charged as the whole minute) and, with 15000 reasoning tokens,
  // uses ~36k, so the next would wait ~54 s. Gemini CLI: 1 request a minute; its router call
  // passes and its main call would wait ~60 s.
  const Case cases[] = {
      {"codex", &k_codex, "limits = { requests_per_minute = 1 }\n", nullptr, "rpm",
       "rate limit of key alice: 1 requests per minute; retry in ", 1},
      {"claude-code", &k_claude, "limits = { tokens_per_minute = 40000 }\n",
       json{{"mode", "usage"}, {"reasoning", 15000}, {"api", "anthropic"}}, "tpm",
       "token rate limit of key alice: 40000 tokens per minute", 1},
      {"gemini-cli", &k_gemini, "limits = { requests_per_minute = 1 }\n", nullptr, "rpm",
       "rate limit of key alice: 1 requests per minute; retry in ", 0},
  };
  for (const auto& c : cases) {
    const std::string agent = c.agent;
    CAPTURE(agent);
    E2eHome w;
    write_team_policy(w, {.team_daily_usd = "50", .alice_extra = c.limits});
    if (!c.fault.is_null()) w.fake().control(c.fault);
    for (int i = 0; i < c.warmup_runs; ++i) {
      auto ok = w.gw(*c.argv);
      REQUIRE_MESSAGE(ok.exit_code == 0, ok.describe());
    }
    auto r = w.gw(*c.argv, std::chrono::seconds(60));
    CHECK_MESSAGE(r.exit_code > 0, r.describe());  // ended by itself, well before the wait
    CHECK_MESSAGE(shows(r, c.says), r.describe());
    CHECK_MESSAGE(shows(r, "refused now instead of making the agent wait that long"), r.describe());
    MESSAGE(agent << " shows: " << r.out << r.err);
    double d = denials(w, agent, c.reason);
    CHECK(d >= 1);
    CHECK_MESSAGE(d == 1, agent << " sent " << d << " refused requests");
  }
}
