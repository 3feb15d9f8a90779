// Real Claude Code, Codex CLI and Gemini CLI under a policy that refuses them: the developer sees
// a readable message naming the limit, and the agent does not retry-storm (gw's own metrics count
// every request it received, since refused requests never reach the fake provider).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <future>
#include <thread>

#include <unistd.h>

#include "agent/control_client.hpp"
#include "tests/e2e/e2e_home.hpp"
#include "tests/support/exposition_parser.hpp"
#include "tests/support/http_client.hpp"

using gw::e2e::E2eHome;
using nlohmann::json;

namespace {

const std::vector<std::string> k_claude = {"claude", "-p", "say pong"};
const std::vector<std::string> k_codex = {"codex", "exec", "--skip-git-repo-check", "--ephemeral",
                                          "-s", "read-only", "say pong"};
const std::vector<std::string> k_gemini = {"gemini", "-p", "say pong"};

struct AgentCase {
  const char* agent;  // gw's label for it
  const std::vector<std::string>* argv;
  const char* api;
};
const AgentCase k_agents[] = {{"claude-code", &k_claude, "anthropic"},
                              {"codex", &k_codex, "openai"},
                              {"gemini-cli", &k_gemini, "gemini"}};

gw::Paths paths_of(E2eHome& w) {
  return {w.home() / "config", w.home() / "state", w.home() / "state" / "run"};
}

// Replaces the world's policy: key dev with `models`, prices for every model the agents send,
// and `key_extra` lines appended to [keys.dev].
void write_policy(E2eHome& w, const std::string& models, const std::string& key_extra) {
  std::string url = w.fake().base_url();
  std::ofstream(w.home() / "config" / "policy.toml", std::ios::trunc)
      << "version = \"e2e-policy\"\n[local]\nkey = \"dev\"\n"
      << "[providers.anthropic]\nbase_url = \"" << url << "\"\n"
      << "[providers.openai]\nbase_url = \"" << url << "\"\n"
      << "[providers.gemini]\nbase_url = \"" << url << "\"\n"
      << "[prices.\"claude-*\"]\nprovider = \"anthropic\"\ninput = 5\noutput = 25\n"
      << "[prices.\"gpt-*\"]\nprovider = \"openai\"\ninput = 1.25\noutput = 10\n"
      << "[prices.\"gemini-*\"]\nprovider = \"gemini\"\ninput = 1.25\noutput = 10\n"
      << "[keys.dev]\nproviders = [\"anthropic\", \"openai\", \"gemini\"]\nmodels = " << models << "\n"
      << key_extra;
}

gw::test::Exposition metrics(E2eHome& w) {
  auto r = w.gw({"metrics"}, std::chrono::seconds(20));
  REQUIRE_MESSAGE(r.exit_code == 0, r.describe());
  gw::test::Exposition e;
  std::string err;
  REQUIRE_MESSAGE(gw::test::parse_exposition(r.out, e, err), err);
  return e;
}

// Sum of a counter over the series whose labels include all of `match`.
double sum_of(const gw::test::Exposition& e, const std::string& name, const std::map<std::string, std::string>& match) {
  double total = 0;
  for (const auto& s : e.samples) {
    if (s.name != name) continue;
    bool ok = true;
    for (const auto& [k, v] : match) ok = ok && s.labels.count(k) && s.labels.at(k) == v;
    if (ok) total += s.value;
  }
  return total;
}

// Model requests the agent sent to gw (Claude's HEAD preconnect excluded).
double model_requests_seen_by_gw(const gw::test::Exposition& e, const std::string& agent) {
  return sum_of(e, "gw_requests_total", {{"agent", agent}}) -
         sum_of(e, "gw_requests_total", {{"agent", agent}, {"route", "preconnect"}});
}

}  // namespace

TEST_CASE("e2e policy: a model the key may not use is refused with a readable message, without retries") {
  E2eHome w;
  write_policy(w, "[\"nothing-allowed-*\"]", "");
  for (const auto& a : k_agents) {
    const std::string agent_name = a.agent;
    CAPTURE(agent_name);
    auto r = w.gw(*a.argv);
    CHECK_MESSAGE(r.exit_code != 0, r.describe());
    CHECK_MESSAGE((r.out + r.err).find("is not allowed for key 'dev'") != std::string::npos, r.describe());
    CHECK(w.model_requests(a.api).empty());  // nothing reached the provider
    auto e = metrics(w);
    double denied = sum_of(e, "gw_denials_total", {{"agent", a.agent}, {"reason", "model"}});
    // Claude and Codex do not retry a 400; Gemini does not retry a 403 (its router call and
    // its main call are each refused once).
    double bound = std::string(a.agent) == "gemini-cli" ? 2 : 1;
    CHECK(denied >= 1);
    CHECK_MESSAGE(denied <= bound, agent_name << " sent " << denied << " refused requests");
    CHECK(model_requests_seen_by_gw(e, a.agent) == denied);
  }
}

TEST_CASE("e2e policy: an exhausted budget is refused with the budget named, without retries") {
  E2eHome w;
  // A cent a day: the worst-case cost of any agent request is more than that.
  write_policy(w, "[\"*\"]", "budgets.daily = { usd = 0.01, period = \"day\" }\n");
  for (const auto& a : k_agents) {
    const std::string agent_name = a.agent;
    CAPTURE(agent_name);
    auto r = w.gw(*a.argv);
    CHECK_MESSAGE(r.exit_code != 0, r.describe());
    CHECK_MESSAGE((r.out + r.err).find("budget 'daily' of key dev exhausted") != std::string::npos, r.describe());
    CHECK(w.model_requests(a.api).empty());
    auto e = metrics(w);
    double denied = sum_of(e, "gw_denials_total", {{"agent", a.agent}, {"reason", "budget"}});
    double bound = std::string(a.agent) == "gemini-cli" ? 2 : 1;
    CHECK(denied >= 1);
    CHECK_MESSAGE(denied <= bound, agent_name << " sent " << denied << " refused requests");
  }
  auto st = w.gw({"status"}, std::chrono::seconds(20));
  CHECK_MESSAGE(st.out.find("budget key dev 'daily' (day, calendar)") != std::string::npos, st.describe());
}

TEST_CASE("e2e policy: at the concurrency limit each agent waits (retry-after) and then completes") {
  E2eHome w;
  write_policy(w, "[\"*\"]", "limits = { concurrent = 1 }\n");
  auto started = w.gw({"agent", "start"}, std::chrono::seconds(30));
  REQUIRE_MESSAGE(started.exit_code == 0, started.describe());
  for (const auto& a : k_agents) {
    const std::string agent_name = a.agent;
    CAPTURE(agent_name);
    auto minted = gw::agent::control_call(paths_of(w), {{"op", "mint"}, {"agent", "other"}, {"pid", ::getpid()}, {"ttl_s", 600}});
    REQUIRE(minted);
    REQUIRE(minted->value("ok", false));
    // Another request of the same key holds the only slot for a while: the fake pauses its
    // stream (the fake's timer, not a sleep in this test). Gemini CLI (Node) starts slower and
    // backs off >= 5 s, so it gets a longer hold to be refused at least once.
    const bool gemini = agent_name == "gemini-cli";
    const int hold_ms = gemini ? 12000 : 5000;
    w.fake().control({{"mode", "pause"}, {"pause_ms", hold_ms}, {"api", "anthropic"}});
    std::promise<int> head;
    std::thread holder([&] {
      auto cli = gw::test::make_client("http://127.0.0.1:" + std::to_string(minted->value("port", 0)));
      httplib::Request req;
      req.method = "POST";
      req.path = "/anthropic/v1/messages";
      req.headers = {{"Authorization", "Bearer " + minted->value("token", "")}, {"Content-Type", "application/json"}};
      req.body = R"({"model":"claude-haiku-4-5","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hold"}]})";
      bool told = false;
      req.response_handler = [&](const httplib::Response& r) {
        head.set_value(r.status);
        told = true;
        return true;
      };
      req.content_receiver = [](const char*, size_t, uint64_t, uint64_t) { return true; };
      auto res = cli.send(req);
      if (!told) head.set_value(-1);
    });
    REQUIRE(head.get_future().get() == 200);
    double before = sum_of(metrics(w), "gw_denials_total", {{"agent", a.agent}, {"reason", "concurrency"}});
    auto r = w.gw(*a.argv);
    holder.join();
    CHECK_MESSAGE(r.exit_code == 0, r.describe());
    CHECK_MESSAGE(r.out.find("pong") != std::string::npos, r.describe());
    double denied = sum_of(metrics(w), "gw_denials_total", {{"agent", a.agent}, {"reason", "concurrency"}}) - before;
    // gw answers 429 with retry-after: 1. Claude Code and Codex wait that long between tries, so
    // a 5 s hold costs at most about 5 refused requests (an agent ignoring retry-after with a
    // 0.5 s backoff would send ~10); Gemini CLI backs off >= 5 s on its own (router + main call).
    double bound = gemini ? 6 : 7;
    CHECK(denied >= 1);
    CHECK_MESSAGE(denied <= bound, agent_name << " sent " << denied << " refused requests in " << hold_ms << " ms");
    MESSAGE(agent_name << ": " << denied << " requests refused at the concurrency limit during a " << hold_ms << " ms hold");
  }
}
