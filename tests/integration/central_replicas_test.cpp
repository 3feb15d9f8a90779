// Two `gw serve` replicas on one real PostgreSQL database (tests/support/postgres.hpp), as behind
// a load balancer: whichever replica a request reaches, audit records are stored exactly once
// with correct chain alarms, and budget leases never exceed the budget.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "core/common/crypto.hpp"
#include "core/config/policy.hpp"
#include "core/storage/pg_stores.hpp"
#include "tests/support/gw_cli.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/server/chain_builder.hpp"

using namespace gw;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_token = "gw-enroll-replica-token-0123456789";
constexpr const char* k_publish_token = "gw-publish-replica-token-42";

// One `gw serve` replica: its own temp dir and server.toml; the database URL comes from the
// environment (url_env), as an operator keeping the password out of the file would do.
class Replica {
public:
  Replica(const std::string& db_url, const std::string& extra_toml = "") {
    std::ofstream(m_dir.path() / "server.toml")
        << "listen = \"127.0.0.1:0\"\n[storage]\ndriver = \"postgres\"\nurl_env = \"GW_TEST_DATABASE_URL\"\n"
        << "pool_size = 8\n[enrollment.tokens.test]\nsecret_hash = \"sha256:" << sha256_hex(k_token) << "\"\n"
        << extra_toml;
    test::ProcessOptions po;
    po.argv = {std::string(GW_BINARY_DIR) + "/gw", "serve", "--config", (m_dir.path() / "server.toml").string()};
    po.env = test::minimal_env(m_dir.path());
    po.env["GW_TEST_DATABASE_URL"] = db_url;
    m_process = std::make_unique<test::Process>(po);
    if (!m_process->wait_for_output("gw serve listening", std::chrono::seconds(30)))
      throw std::runtime_error("gw serve did not start: " + m_process->stderr_text());
    std::istringstream err(m_process->stderr_text());
    for (std::string line; std::getline(err, line);) {
      auto j = json::parse(line, nullptr, false);
      if (j.is_object() && j.value("msg", "") == "gw serve listening") {
        m_port = j.value("port", 0);
        m_storage = j.value("storage", "");
      }
    }
    if (m_port <= 0) throw std::runtime_error("gw serve printed no port: " + m_process->stderr_text());
  }
  ~Replica() {
    m_process->terminate();
    m_process->wait(std::chrono::seconds(15));
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  const fs::path& dir() const { return m_dir.path(); }
  const std::string& storage() const { return m_storage; }
  test::Process& process() { return *m_process; }

private:
  test::TempDir m_dir{"gw-replica"};
  std::unique_ptr<test::Process> m_process;
  int m_port = 0;
  std::string m_storage;
};

// POSTs a signed audit batch; returns the answer (status + JSON body).
std::pair<int, json> send_batch(const Replica& r, const test::ChainBuilder& chain, const std::vector<std::string>& lines) {
  json body = {{"v", 1}, {"device_id", chain.batch({}).device_id}, {"public_key", to_hex(chain.key().public_raw())},
               {"records", lines}};
  std::string text = body.dump();
  auto sig = chain.key().sign(text);
  REQUIRE(sig);
  auto cli = test::make_client(r.url());
  auto res = cli.Post("/v1/audit/batches",
                      {{"Authorization", std::string("Bearer ") + k_token}, {"X-Gw-Signature", "ed25519=" + to_hex(*sig)}},
                      text, "application/json");
  REQUIRE(res);
  return {res->status, json::parse(res->body, nullptr, false)};
}

std::unique_ptr<storage::PgAuditStore> open_audit(const std::string& url) {
  auto pool = storage::pg::Pool::open(url, 2);
  REQUIRE_MESSAGE(pool, (pool ? "" : pool.error().message));
  auto s = storage::PgAuditStore::open(std::shared_ptr<storage::pg::Pool>(std::move(*pool)));
  REQUIRE_MESSAGE(s, (s ? "" : s.error().message));
  return std::move(*s);
}

}  // namespace

TEST_CASE("replicas: the same audit batches sent to both replicas at once are stored exactly once, alarms once") {
  GW_REQUIRE_POSTGRES(pg);
  std::string db = pg->fresh_database();
  // Replica b exports to a SIEM file: it must receive every event, whichever replica stored it.
  Replica a(db), b(db, "[[siem]]\nname = \"file\"\ntype = \"file\"\ndestination = \"siem.jsonl\"\n");
  CHECK(a.storage().find("postgresql://gw@") == 0);  // the log names the server (never a password)

  // Both replicas receive every batch of the chain, concurrently, in order: the device's retries
  // after a load balancer switched it over, worst case.
  test::ChainBuilder chain("dev-replica");
  std::vector<std::vector<std::string>> batches;
  for (int i = 0; i < 15; ++i) batches.push_back(chain.events(20));
  std::atomic<size_t> stored{0}, duplicates{0};
  std::atomic<int> failures{0};
  auto ship = [&](const Replica& r) {
    for (const auto& batch : batches) {
      auto [status, body] = send_batch(r, chain, batch);
      if (status != 200 || !body["alarms"].empty()) ++failures;
      stored += body.value("stored", size_t{0});
      duplicates += body.value("duplicates", size_t{0});
    }
  };
  std::thread ta([&] { ship(a); });
  std::thread tb([&] { ship(b); });
  ta.join();
  tb.join();
  CHECK(failures == 0);
  CHECK(stored == 300);
  CHECK(duplicates == 300);

  auto store = open_audit(db);
  auto dev = *store->find_device("dev-replica");
  REQUIRE(dev);
  CHECK(dev->head_seq == 300);
  CHECK(dev->records == 300);
  CHECK(dev->alarms == 0);
  auto recs = *store->records("dev-replica", dev->epoch, 1, 1000);
  REQUIRE(recs.size() == 300);
  for (size_t i = 0; i < recs.size(); ++i) CHECK(recs[i].seq == i + 1);

  // A record changed after shipping is a fork on either replica; a gap is named once, by
  // whichever replica sees it first, and the other replica's copy of the batch is a duplicate.
  std::string forged = batches[0][4];
  forged.replace(forged.find("claude-sonnet-4-5"), 17, "claude-opus-4-1xx");
  CHECK(send_batch(b, chain, {forged}).second["alarms"] == json::array({"fork"}));
  CHECK(send_batch(a, chain, {forged}).second["alarms"] == json::array({"fork"}));
  chain.events(5);  // seqs 301..305 never shipped
  auto after_gap = chain.events(3);
  auto first = send_batch(a, chain, after_gap);
  auto second = send_batch(b, chain, after_gap);
  CHECK(first.second["alarms"] == json::array({"gap"}));
  CHECK(second.second["alarms"].empty());
  CHECK(second.second["duplicates"] == 3);
  CHECK(second.second["acked_seq"] == 308);
  dev = *store->find_device("dev-replica");
  CHECK(dev->alarms == 3);
  CHECK((*store->records("dev-replica", dev->epoch, 5, 5))[0].line == batches[0][4]);

  // The SIEM feed is one sequence, the same read from either replica's database view: every
  // event once, alarms included.
  auto feed = *store->read_after(0, 10000);
  CHECK(feed.size() == 303 + 3);
  std::set<uint64_t> positions;
  for (auto& e : feed) positions.insert(e.position);
  CHECK(positions.size() == feed.size());

  // b's SIEM sink delivers all of them, those ingested by a included (bounded wait on the file).
  auto siem_lines = [&] {
    std::ifstream in(b.dir() / "siem.jsonl");
    size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (siem_lines() < feed.size() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // written by the server process: poll the file
  CHECK(siem_lines() == feed.size());
}

TEST_CASE("replicas: leases granted by both replicas to racing devices never exceed the budget") {
  GW_REQUIRE_POSTGRES(pg);
  std::string db = pg->fresh_database();
  test::TempDir it("gw-replica-it");
  test::Env env = test::minimal_env(it.path());
  auto p = [&](const std::string& n) { return (it.path() / n).string(); };
  auto gw = [&](const std::vector<std::string>& args) {
    auto r = test::run_gw(env, args);
    REQUIRE_MESSAGE(r.code == 0, r.err);
  };
  gw({"policy", "keygen", "--out", p("root")});
  gw({"policy", "keygen", "--out", p("signing")});
  gw({"trust", "delegate", "--root", p("root.key"), "--key", p("signing.pub"), "--org", "acme", "-o", p("signing.cert")});
  std::ofstream(it.path() / "policy.toml") << "version = \"replicas\"\n[teams.platform]\n"
                                              "budgets.daily = { usd = 1, period = \"day\" }\n";
  gw({"policy", "sign", p("policy.toml"), "--key", p("signing.key"), "--cert", p("signing.cert"), "--org", "acme",
      "--version", "1", "-o", p("v1.bundle")});
  std::string policy_toml = "[policy]\norg = \"acme\"\nroots = [\"" + p("root.pub") +
                            "\"]\n[policy.publishers.ci]\nsecret_hash = \"" +
                            config::hash_key_secret(k_publish_token) + "\"\n";
  Replica a(db, policy_toml), b(db, policy_toml);
  test::Env pub = env;
  pub["GW_PUBLISH_TOKEN"] = k_publish_token;
  for (const Replica* r : {&a, &b}) {  // bundles live in each replica's bundle_dir: publish to each
    auto out = test::run_gw(pub, {"policy", "publish", p("v1.bundle"), "--server", r->url()});
    REQUIRE_MESSAGE(out.code == 0, out.err);
  }

  constexpr int64_t k_limit = 1'000'000'000;  // $1 in nano-dollars
  constexpr int k_devices = 8, k_rounds = 25;
  std::atomic<int64_t> spent_total{0};
  std::atomic<int> violations{0}, errors{0};
  std::vector<std::thread> devices;
  for (int d = 0; d < k_devices; ++d) {
    devices.emplace_back([&, d] {
      httplib::Client ca = test::make_client(a.url()), cb = test::make_client(b.url());
      std::string dev = "dev-" + std::to_string(d);
      int n = 0;
      auto call = [&](json body) -> std::pair<int, json> {
        body["v"] = 1;
        body["device_id"] = dev;
        body["scope"] = "team:platform";
        body["budget"] = "daily";
        body["request_id"] = dev + "-" + std::to_string(n);
        auto& cli = (n++ + d) % 2 ? cb : ca;  // every other request reaches the other replica
        auto res = cli.Post("/v1/leases", {{"Authorization", std::string("Bearer ") + k_token}}, body.dump(),
                            "application/json");
        if (!res) return {0, json()};
        return {res->status, json::parse(res->body, nullptr, false)};
      };
      auto [st, lease] = call({{"op", "acquire"}, {"want_nano", 0}});
      if (st != 200) return (void)++errors;
      int64_t spent = 0;
      for (int i = 0; i < k_rounds; ++i) {
        int64_t cost = 20'000'000 + (d * 7 + i) % 5 * 10'000'000;  // $0.02..$0.06 per request
        if (lease["granted_nano"].get<int64_t>() - spent >= cost) {
          spent += cost;  // spend only what the lease covers
          spent_total += cost;
        }
        auto [rs, next] = call({{"op", "renew"}, {"lease_id", lease["lease_id"]},
                                {"window_start_ms", lease["window_start_ms"]}, {"spent_nano", spent}});
        if (rs == 409) next = next["lease"];  // exhausted: nothing more granted, spend recorded
        else if (rs != 200) return (void)++errors;
        if (next["settled_nano"].get<int64_t>() + next["outstanding_nano"].get<int64_t>() > k_limit) ++violations;
        lease = next;
      }
    });
  }
  for (auto& t : devices) t.join();
  CHECK(errors == 0);
  CHECK(violations == 0);
  CHECK(spent_total <= k_limit);
  CHECK(spent_total > k_limit / 2);  // the race really competed for most of the budget

  auto stores = storage::open_pg_stores({db, 2});
  REQUIRE(stores);
  auto views = stores->leases->current(0);
  REQUIRE(views);
  REQUIRE(views->size() == 1);
  CHECK((*views)[0].row.settled_nano == spent_total.load());  // every reported spend counted once
}
