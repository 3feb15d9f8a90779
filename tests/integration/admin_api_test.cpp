// Admin API v1 through a real `gw serve`: the role matrix on every route, the key lifecycle with
// the secret shown once, spend and audit reports over stored events, admin actions as audit
// events (store and SIEM file sink), and precise 400s for bad input.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/audit/event.hpp"
#include "core/common/crypto.hpp"
#include "tests/support/central.hpp"
#include "tests/support/gw_cli.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/http_client.hpp"

namespace gw {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const char* k_admin_tok = "adm-0123456789abcdef";
const char* k_author_tok = "aut-0123456789abcdef";
const char* k_auditor_tok = "aud-0123456789abcdef";
const char* k_viewer_tok = "vie-0123456789abcdef";

std::string admin_toml() {
  std::string out;
  auto add = [&](const char* id, const char* tok, const char* role) {
    out += std::string("[admin.tokens.") + id + "]\nsecret_hash = \"sha256:" + sha256_hex(tok) + "\"\nrole = \"" + role +
           "\"\n";
  };
  add("ops", k_admin_tok, "admin");
  add("ci", k_author_tok, "policy-author");
  add("sec", k_auditor_tok, "auditor");
  add("dash", k_viewer_tok, "viewer");
  return out + "[[siem]]\nname = \"archive\"\ntype = \"file\"\ndestination = \"siem/audit.jsonl\"\n";
}

struct Reply {
  int status = 0;
  json body;
};

struct Api {
  explicit Api(const std::string& url) : client(test::make_client(url)) {}
  Reply call(const std::string& method, const std::string& path, const std::string& token, const std::string& body = "") {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    httplib::Result r = method == "GET"     ? client.Get(path.c_str(), h)
                        : method == "POST"  ? client.Post(path.c_str(), h, body, "application/json")
                        : method == "PATCH" ? client.Patch(path.c_str(), h, body, "application/json")
                                            : client.Delete(path.c_str(), h, body, "application/json");
    REQUIRE(r);
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  httplib::Client client;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A completed event as a device would have shipped it.
std::string completed(int64_t time_ms, const std::string& key, const std::string& team, const std::string& model,
                      int64_t in, int64_t out, int64_t cost, const std::string& user = "u") {
  audit::AuditEvent ev;
  ev.kind = audit::EventKind::completed;
  ev.id = "id-" + std::to_string(time_ms) + key + model;
  ev.time_ms = time_ms;
  ev.device_id = "dev-a";
  ev.user = user;
  ev.virtual_key_id = key;
  ev.team = team;
  ev.model = model;
  ev.decision = audit::Decision::allowed;
  ev.usage = audit::Usage{in, out, 0, 0, 0};
  ev.cost_nano_usd = cost;
  ev.gw_version = "test";
  return audit::serialize_event(ev);
}

// Stores lines as records of device dev-a (seq from 1), as ingest would.
void store_events(test::Central& central, const std::vector<std::string>& lines) {
  auto store = central.open_store();
  REQUIRE(store);
  auto st = store->transact("dev-a", [&](storage::DeviceTxn& t) -> Status {
    uint64_t seq = 1;
    for (const auto& l : lines) GW_CHECK(t.insert_record(0, {seq++, sha256_hex(l), "event", l}));
    return {};
  });
  REQUIRE(st);
}

}  // namespace

TEST_CASE("admin api: every route checks the token's role (401 without, 403 with the wrong role)") {
  test::Central central(admin_toml());
  Api api(central.url());
  REQUIRE(api.call("POST", "/v1/admin/teams", k_admin_tok, R"({"id":"t1"})").status == 201);
  struct Route {
    const char* method;
    const char* path;
    const char* body;
    std::set<std::string> roles;  // who may
  };
  const std::set<std::string> all{"admin", "policy-author", "auditor", "viewer"};
  const std::vector<Route> routes = {
      {"GET", "/v1/admin/whoami", "", all},
      {"GET", "/v1/admin/keys", "", all},
      {"POST", "/v1/admin/keys", R"({"id":"k-ROLE"})", {"admin"}},
      {"GET", "/v1/admin/keys/k-admin", "", all},
      {"PATCH", "/v1/admin/keys/k-admin", R"({"owner":"x"})", {"admin"}},
      {"POST", "/v1/admin/keys/k-admin/rotate", "", {"admin"}},
      {"POST", "/v1/admin/keys/k-admin/revoke", R"({"reason":"matrix"})", {"admin"}},
      {"DELETE", "/v1/admin/keys/k-admin", "", {"admin"}},
      {"GET", "/v1/admin/teams", "", all},
      {"POST", "/v1/admin/teams", R"({"id":"t-ROLE"})", {"admin"}},
      {"GET", "/v1/admin/teams/t1", "", all},
      {"PATCH", "/v1/admin/teams/t1", R"({"description":"d"})", {"admin"}},
      {"DELETE", "/v1/admin/teams/t-admin", "", {"admin"}},
      {"GET", "/v1/admin/spend?by=key", "", all},
      {"GET", "/v1/admin/audit", "", {"admin", "auditor"}},
      {"POST", "/v1/admin/policy/bundles", "{}", {"admin", "policy-author"}},
  };
  const std::vector<std::pair<std::string, const char*>> tokens = {
      {"admin", k_admin_tok}, {"policy-author", k_author_tok}, {"auditor", k_auditor_tok}, {"viewer", k_viewer_tok}};
  for (const auto& r : routes) {
    CAPTURE(r.method);
    CAPTURE(r.path);
    auto none = api.call(r.method, r.path, "", r.body);
    CHECK(none.status == 401);
    CHECK(none.body["error"]["code"] == "unauthorized");
    CHECK(api.call(r.method, r.path, "not-a-token", r.body).status == 401);
    for (const auto& [role, tok] : tokens) {
      CAPTURE(role);
      std::string body = r.body;
      if (auto p = body.find("ROLE"); p != std::string::npos) body.replace(p, 4, role);
      auto got = api.call(r.method, r.path, tok, body);
      if (r.roles.count(role)) {
        CHECK(got.status != 401);
        CHECK(got.status != 403);
      } else {
        CHECK(got.status == 403);
        CHECK(got.body["error"]["code"] == "forbidden");
        CHECK(got.body["error"]["message"].get<std::string>().find("has role " + role) != std::string::npos);
      }
    }
  }
  // Publishing without [policy] is a clear 404, not a crash, for the roles allowed to publish.
  CHECK(api.call("POST", "/v1/admin/policy/bundles", k_author_tok, "{}").body["error"]["code"] == "policy_disabled");
  CHECK(api.call("GET", "/v1/admin/nothing", k_viewer_tok).status == 404);
  CHECK(api.call("PUT", "/v1/admin/keys", k_admin_tok).status != 200);
}

TEST_CASE("admin api: key lifecycle; the secret is shown once and never stored") {
  test::Central central(admin_toml());
  Api api(central.url());
  REQUIRE(api.call("POST", "/v1/admin/teams", k_admin_tok,
                   R"({"id":"platform","description":"Platform","budgets":{"monthly":{"usd":900,"period":"month"}}})")
              .status == 201);
  auto created = api.call("POST", "/v1/admin/keys", k_admin_tok,
                          R"({"id":"alice","owner":"alice@example.com","team":"platform","providers":["anthropic"],
                              "models":["claude-*"],"budgets":{"daily":{"usd":20,"period":"day"}},
                              "limits":{"concurrent":4},"expires":"2030-01-01T00:00:00Z"})");
  REQUIRE(created.status == 201);
  std::string secret = created.body["secret"];
  CHECK(secret.starts_with("gwk_"));
  CHECK(secret.size() == 4 + 64);
  CHECK(created.body["status"] == "active");
  CHECK(created.body["budgets"]["daily"]["usd"] == 20.0);
  CHECK(created.body["expires"] == "2030-01-01T00:00:00Z");

  auto shown = api.call("GET", "/v1/admin/keys/alice", k_viewer_tok);
  REQUIRE(shown.status == 200);
  CHECK(!shown.body.contains("secret"));
  CHECK(!shown.body.contains("secret_hash"));
  CHECK(shown.body.dump().find(secret) == std::string::npos);
  CHECK(api.call("POST", "/v1/admin/keys", k_admin_tok, R"({"id":"alice"})").status == 409);

  // PATCH changes only the given fields; if_revision guards against lost updates.
  int64_t rev = shown.body["revision"];
  auto stale = api.call("PATCH", "/v1/admin/keys/alice", k_admin_tok,
                        json{{"owner", "x"}, {"if_revision", rev + 7}}.dump());
  CHECK(stale.status == 409);
  auto patched = api.call("PATCH", "/v1/admin/keys/alice", k_admin_tok,
                          json{{"limits", {{"concurrent", 2}}}, {"if_revision", rev}}.dump());
  REQUIRE(patched.status == 200);
  CHECK(patched.body["limits"]["concurrent"] == 2);
  CHECK(patched.body["owner"] == "alice@example.com");
  CHECK(patched.body["team"] == "platform");

  auto rotated = api.call("POST", "/v1/admin/keys/alice/rotate", k_admin_tok);
  REQUIRE(rotated.status == 200);
  std::string secret2 = rotated.body["secret"];
  CHECK(secret2 != secret);
  CHECK(rotated.body["rotated_at"].is_string());

  auto revoked = api.call("POST", "/v1/admin/keys/alice/revoke", k_admin_tok, R"({"reason":"laptop lost"})");
  REQUIRE(revoked.status == 200);
  CHECK(revoked.body["status"] == "revoked");
  CHECK(revoked.body["revoked_by"] == "ops");
  CHECK(revoked.body["revoke_reason"] == "laptop lost");
  CHECK(api.call("PATCH", "/v1/admin/keys/alice", k_admin_tok, R"({"owner":"y"})").status == 409);
  CHECK(api.call("POST", "/v1/admin/keys/alice/rotate", k_admin_tok).status == 409);
  auto listed = api.call("GET", "/v1/admin/keys?include_revoked=false", k_viewer_tok);
  CHECK(listed.body["keys"].empty());
  CHECK(api.call("GET", "/v1/admin/keys?team=platform", k_viewer_tok).body["keys"].size() == 1);
  CHECK(api.call("DELETE", "/v1/admin/teams/platform", k_admin_tok).status == 409);  // alice names it
  CHECK(api.call("DELETE", "/v1/admin/keys/alice", k_admin_tok).status == 200);
  CHECK(api.call("GET", "/v1/admin/keys/alice", k_admin_tok).status == 404);
  CHECK(api.call("DELETE", "/v1/admin/teams/platform", k_admin_tok).status == 200);

  // Neither secret is anywhere the central keeps data: database, WAL, SIEM export, log.
  central.stop();
  for (const auto& entry : fs::recursive_directory_iterator(central.dir())) {
    if (!entry.is_regular_file()) continue;
    std::string bytes = slurp(entry.path());
    CHECK_MESSAGE(bytes.find(secret) == std::string::npos, entry.path());
    CHECK_MESSAGE(bytes.find(secret2) == std::string::npos, entry.path());
  }
  CHECK(central.process().stderr_text().find(secret) == std::string::npos);
}

TEST_CASE("admin api: spend reports add up the completed events by key, team, model and day") {
  test::Central central(admin_toml());
  const int64_t day1 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
  const int64_t day2 = day1 + 86'400'000;
  store_events(central, {completed(day1 + 1000, "alice", "platform", "claude-sonnet-4-5", 100, 10, 1'500'000),
                         completed(day1 + 2000, "alice", "platform", "gpt-5", 200, 20, 2'500'000),
                         completed(day2 + 1000, "bob", "platform", "gpt-5", 300, 30, 4'000'000),
                         completed(day2 + 2000, "carol", "", "gpt-5", 1, 1, 7)});
  Api api(central.url());
  auto by_key = api.call("GET", "/v1/admin/spend?by=key", k_viewer_tok);
  REQUIRE(by_key.status == 200);
  REQUIRE(by_key.body["rows"].size() == 3);
  CHECK(by_key.body["rows"][0]["key"] == "alice");
  CHECK(by_key.body["rows"][0]["requests"] == 2);
  CHECK(by_key.body["rows"][0]["input_tokens"] == 300);
  CHECK(by_key.body["rows"][0]["output_tokens"] == 30);
  CHECK(by_key.body["rows"][0]["cost_nano_usd"] == 4'000'000);
  CHECK(by_key.body["total"]["cost_nano_usd"] == 8'000'007);
  CHECK(by_key.body["total"]["requests"] == 4);
  auto by_team = api.call("GET", "/v1/admin/spend?by=team", k_viewer_tok).body["rows"];
  REQUIRE(by_team.size() == 2);
  CHECK(by_team[0]["team"] == "");
  CHECK(by_team[1]["team"] == "platform");
  CHECK(by_team[1]["cost_nano_usd"] == 8'000'000);
  auto by_model = api.call("GET", "/v1/admin/spend?by=model", k_viewer_tok).body["rows"];
  REQUIRE(by_model.size() == 2);
  CHECK(by_model[1]["model"] == "gpt-5");
  CHECK(by_model[1]["requests"] == 3);
  auto by_day = api.call("GET", "/v1/admin/spend?by=day", k_viewer_tok).body["rows"];
  REQUIRE(by_day.size() == 2);
  CHECK(by_day[0]["day"] == "2026-01-01");
  CHECK(by_day[0]["cost_nano_usd"] == 4'000'000);
  CHECK(by_day[1]["day"] == "2026-01-02");
  // since inclusive, until exclusive.
  auto second_day = api.call("GET", "/v1/admin/spend?by=key&since=2026-01-02&until=2026-01-03", k_viewer_tok);
  REQUIRE(second_day.status == 200);
  CHECK(second_day.body["rows"].size() == 2);
  CHECK(second_day.body["total"]["cost_nano_usd"] == 4'000'007);
}

TEST_CASE("admin api: audit queries filter by time, device, key, user, kind and decision, paged by position") {
  test::Central central(admin_toml());
  const int64_t t0 = 1'767'225'600'000;
  std::vector<std::string> lines;
  for (int i = 0; i < 10; ++i)
    lines.push_back(completed(t0 + i * 1000, i % 2 ? "alice" : "bob", "platform", "gpt-5", 1, 1, 1, i < 3 ? "ann" : "ben"));
  audit::AuditEvent denied;
  denied.kind = audit::EventKind::denied;
  denied.id = "denied-1";
  denied.time_ms = t0 + 50'000;
  denied.virtual_key_id = "alice";
  denied.decision = audit::Decision::denied;
  denied.reason = "budget exhausted";
  lines.push_back(audit::serialize_event(denied));
  store_events(central, lines);
  Api api(central.url());
  auto q = [&](const std::string& query) {
    auto r = api.call("GET", "/v1/admin/audit" + query, k_auditor_tok);
    REQUIRE(r.status == 200);
    return r.body;
  };
  CHECK(q("")["events"].size() == 11);
  CHECK(q("?key=alice")["events"].size() == 6);
  CHECK(q("?user=ann")["events"].size() == 3);
  CHECK(q("?kind=denied")["events"].size() == 1);
  CHECK(q("?decision=denied")["events"][0]["event"]["reason"] == "budget exhausted");
  CHECK(q("?device=dev-a")["events"].size() == 11);
  CHECK(q("?device=dev-b")["events"].empty());
  CHECK(q("?since=2026-01-01T00:00:05Z&until=2026-01-01T00:00:08Z")["events"].size() == 3);
  // Paging: limit 4 -> next_after continues exactly where the page ended.
  auto p1 = q("?limit=4");
  REQUIRE(p1["events"].size() == 4);
  REQUIRE(p1["next_after"].is_number());
  auto p2 = q("?limit=4&after=" + std::to_string(p1["next_after"].get<uint64_t>()));
  REQUIRE(p2["events"].size() == 4);
  CHECK(p2["events"][0]["position"].get<uint64_t>() > p1["events"][3]["position"].get<uint64_t>());
  auto p3 = q("?limit=4&after=" + std::to_string(p2["next_after"].get<uint64_t>()));
  CHECK(p3["events"].size() == 3);
  CHECK(p3["next_after"].is_null());
  CHECK(p1["events"][0]["seq"] == 1);
  CHECK(p1["events"][0]["device_id"] == "dev-a");
}

TEST_CASE("admin api: admin actions are audit events, in the store and in the SIEM file sink") {
  test::Central central(admin_toml());
  Api api(central.url());
  auto created = api.call("POST", "/v1/admin/keys", k_admin_tok, R"({"id":"alice"})");
  REQUIRE(created.status == 201);
  std::string secret = created.body["secret"];
  REQUIRE(api.call("POST", "/v1/admin/keys", k_viewer_tok, R"({"id":"mallory"})").status == 403);
  REQUIRE(api.call("POST", "/v1/admin/keys", k_admin_tok, R"({"id":"bad","budgets":5})").status == 400);
  REQUIRE(api.call("POST", "/v1/admin/keys/alice/revoke", k_admin_tok, R"({"reason":"test"})").status == 200);

  auto admin_events = api.call("GET", "/v1/admin/audit?kind=admin", k_auditor_tok).body["events"];
  REQUIRE(admin_events.size() == 4);
  auto ev = [&](size_t i) { return admin_events[i]["event"]; };
  CHECK(ev(0)["action"] == "keys.create");
  CHECK(ev(0)["actor"] == "ops");
  CHECK(ev(0)["role"] == "admin");
  CHECK(ev(0)["target"] == "key:alice");
  CHECK(ev(0)["outcome"] == "ok");
  CHECK(ev(1)["actor"] == "dash");
  CHECK(ev(1)["outcome"] == "refused");
  CHECK(ev(1)["http_status"] == 403);
  CHECK(ev(2)["outcome"] == "failed");
  CHECK(ev(2)["http_status"] == 400);
  CHECK(ev(3)["action"] == "keys.revoke");
  CHECK(admin_events.dump().find(secret) == std::string::npos);

  // The SIEM file sink exports them like every other central event.
  fs::path out = central.dir() / "siem" / "audit.jsonl";
  auto deadline = std::chrono::steady_clock::now() + 20s;
  size_t n = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = slurp(out);
    n = 0;
    for (size_t p = text.find("\"kind\":\"admin\""); p != std::string::npos; p = text.find("\"kind\":\"admin\"", p + 1)) ++n;
    if (n >= 4) break;
    std::this_thread::sleep_for(20ms);  // the file is written by the server process: poll it
  }
  CHECK(n == 4);
  CHECK(slurp(out).find(secret) == std::string::npos);
}

TEST_CASE("admin api: bad input gets a precise 400") {
  test::Central central(admin_toml());
  Api api(central.url());
  auto bad = [&](const std::string& method, const std::string& path, const std::string& body, const std::string& needle) {
    CAPTURE(path);
    CAPTURE(body);
    auto r = api.call(method, path, k_admin_tok, body);
    CHECK(r.status == 400);
    std::string msg = r.body["error"]["message"];
    CHECK_MESSAGE(msg.find(needle) != std::string::npos, msg);
  };
  bad("POST", "/v1/admin/keys", "{not json", "not valid JSON");
  bad("POST", "/v1/admin/keys", R"({"owner":"x"})", "id: required");
  bad("POST", "/v1/admin/keys", R"({"id":"a b"})", "id 'a b' is invalid");
  bad("POST", "/v1/admin/keys", R"({"id":"a","budget":{}})", "budget: unknown key");
  bad("POST", "/v1/admin/keys", R"({"id":"a","budgets":{"d":{"usd":-1,"period":"day"}}})", "budgets.d.usd");
  bad("POST", "/v1/admin/keys", R"({"id":"a","budgets":{"d":{"usd":1,"period":"fortnight"}}})", "fortnight");
  bad("POST", "/v1/admin/keys", R"({"id":"a","expires":"soon"})", "expires: must be an RFC 3339");
  bad("POST", "/v1/admin/keys", R"({"id":"a","secret_hash":"sha256:00"})", "secret_hash: is set by the server");
  bad("POST", "/v1/admin/keys", R"({"id":"a","team":"ghosts"})", "team 'ghosts' does not exist");
  bad("POST", "/v1/admin/keys", R"({"id":"a","models":["claude-[x"]})", "models[0]");
  bad("POST", "/v1/admin/teams", R"({"id":"t","members":[]})", "members: unknown key");
  bad("GET", "/v1/admin/keys?colour=red", "", "unknown query parameter 'colour'");
  bad("GET", "/v1/admin/spend?by=week", "", "by: must be key, team, model or day");
  bad("GET", "/v1/admin/spend?since=yesterday", "", "since: 'yesterday' is not a time");
  bad("GET", "/v1/admin/audit?kind=chat", "", "kind: must be");
  bad("GET", "/v1/admin/audit?limit=0", "", "limit: must be 1..1000");
  bad("POST", "/v1/admin/keys/x/revoke", R"({"why":"x"})", "unknown field 'why'");
}

}  // namespace gw

namespace gw {

TEST_CASE("gw admin: keys, teams, spend and audit from the command line") {
  test::Central central(admin_toml());
  test::TempDir home("gw-admin-cli");
  auto env = test::minimal_env(home.path());
  env["GW_ADMIN_URL"] = central.url();
  env["GW_ADMIN_TOKEN"] = k_admin_tok;

  auto team = test::run_gw(env, {"admin", "teams", "create", "platform", "--budget", "monthly=900/month"});
  REQUIRE_MESSAGE(team.code == 0, team.err);
  auto created = test::run_gw(env, {"admin", "keys", "create", "alice", "--team", "platform", "--provider", "anthropic",
                                    "--model", "claude-*", "--budget", "daily=20/day", "--concurrent", "4"});
  REQUIRE_MESSAGE(created.code == 0, created.err);
  CHECK(created.out.find("Secret (shown once") != std::string::npos);
  size_t at = created.out.find("gwk_");
  REQUIRE(at != std::string::npos);
  std::string secret = created.out.substr(at, 68);

  auto listed = test::run_gw(env, {"admin", "keys", "list"});
  REQUIRE(listed.code == 0);
  CHECK(listed.out.find("alice") != std::string::npos);
  CHECK(listed.out.find("active") != std::string::npos);
  CHECK(listed.out.find(secret) == std::string::npos);

  auto json_show = test::run_gw(env, {"admin", "keys", "show", "alice", "--json"});
  REQUIRE(json_show.code == 0);
  auto shown = json::parse(json_show.out, nullptr, false);
  REQUIRE(shown.is_object());
  CHECK(shown["limits"]["concurrent"] == 4);

  auto revoked = test::run_gw(env, {"admin", "keys", "revoke", "alice", "--reason", "cli test"});
  REQUIRE(revoked.code == 0);
  CHECK(revoked.out.find("revoked") != std::string::npos);
  auto again = test::run_gw(env, {"admin", "keys", "update", "alice", "--owner", "x"});
  CHECK(again.code == 1);
  CHECK(again.err.find("revoked") != std::string::npos);

  auto spend = test::run_gw(env, {"admin", "spend", "--by", "day"});
  REQUIRE(spend.code == 0);
  CHECK(spend.out.find("TOTAL") != std::string::npos);
  auto audit = test::run_gw(env, {"admin", "audit", "--kind", "admin", "--json"});
  REQUIRE(audit.code == 0);
  CHECK(audit.out.find("keys.revoke") != std::string::npos);

  auto bad_budget = test::run_gw(env, {"admin", "keys", "create", "bob", "--budget", "daily20"});
  CHECK(bad_budget.code == 1);
  CHECK(bad_budget.err.find("--budget 'daily20'") != std::string::npos);
  env["GW_ADMIN_TOKEN"] = k_viewer_tok;
  auto forbidden = test::run_gw(env, {"admin", "keys", "rm", "alice"});
  CHECK(forbidden.code == 1);
  CHECK(forbidden.err.find("has role viewer") != std::string::npos);
  env.erase("GW_ADMIN_URL");
  auto no_server = test::run_gw(env, {"admin", "keys", "list"});
  CHECK(no_server.code == 1);
  CHECK(no_server.err.find("--server") != std::string::npos);
}

}  // namespace gw
