// The sidecar's lease client against a small fake central (an httplib server running the real
// lease rules on a SQLite ledger): requests the lease covers never wait on the central, the
// renewer tops up at low water in the background, stop() reports the spend and releases.
#include <doctest/doctest.h>

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "agent/lease_client.hpp"
#include "core/common/clock.hpp"
#include "core/storage/lease_rules.hpp"
#include "core/storage/sqlite_lease_ledger.hpp"
#include "tests/support/temp_dir.hpp"

using nlohmann::json;

namespace {

constexpr int64_t k_limit = 1000, k_slice = 100;

// POST /v1/leases with a fixed budget (limit 1000, slice 100, one window), counting operations.
struct FakeCentral {
  gw::test::TempDir dir{"gw-lease-client"};
  std::unique_ptr<gw::storage::SqliteLeaseLedger> ledger;
  httplib::Server http;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, int> calls;  // op -> count
  std::vector<json> bodies;

  FakeCentral() {
    ledger = std::move(*gw::storage::SqliteLeaseLedger::open(dir.path() / "central.db"));
    http.Post("/v1/leases", [this](const httplib::Request& req, httplib::Response& res) {
      auto j = json::parse(req.body);
      gw::storage::LeaseOp op;
      std::string kind = j["op"];
      op.kind = kind == "acquire" ? gw::storage::LeaseOp::Kind::acquire
                : kind == "renew" ? gw::storage::LeaseOp::Kind::renew
                                  : gw::storage::LeaseOp::Kind::release;
      op.request_id = j["request_id"];
      op.device_id = j["device_id"];
      op.lease_id = j.value("lease_id", "");
      op.lease_window_start_ms = j.value("window_start_ms", int64_t{0});
      op.spent_nano = j.value("spent_nano", int64_t{0});
      op.want_nano = j.value("want_nano", int64_t{0});
      op.ref = {j["scope"], j["budget"], 0};
      op.window_end_ms = int64_t{1} << 60;
      op.limit_nano = k_limit;
      op.slice_nano = k_slice;
      op.ttl_ms = 600'000;
      op.now_ms = gw::SystemClock().now_ms();
      auto a = gw::storage::apply_lease_op(*ledger, op);
      REQUIRE(a);
      json out = gw::storage::to_json(*a);
      out["slice_nano"] = k_slice;
      out["ttl_ms"] = op.ttl_ms;
      res.set_content(out.dump(), "application/json");
      std::lock_guard lock(mu);
      calls[kind]++;
      bodies.push_back(j);
      cv.notify_all();
    });
    port = http.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { http.listen_after_bind(); });
  }
  ~FakeCentral() {
    http.stop();
    thread.join();
  }
  int count(const std::string& op) {
    std::lock_guard lock(mu);
    return calls[op];
  }
  bool wait_for(const std::string& op, int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return calls[op] >= n; });
  }
};

}  // namespace

TEST_CASE("LeaseClient: requests the lease covers never wait on the central; low water renews in the background") {
  FakeCentral central;
  gw::SystemClock clock;
  gw::agent::LeaseClientOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(central.port);
  o.token = "t";
  o.device_id = "dev-test";
  o.state_file = central.dir.path() / "leases.json";
  gw::agent::LeaseClient client(o, clock);
  client.start();
  gw::config::Budget budget{"daily", k_limit, gw::config::Period::day, gw::config::Window::calendar};
  gw::limits::CentralBudgetRef ref{"team:platform", "daily", budget};

  REQUIRE(client.reserve(ref, 10));  // first use: acquires on this thread
  CHECK(central.count("acquire") == 1);
  client.settle(ref, 10, 10);
  for (int i = 0; i < 6; ++i) {  // balance 90 .. 30: above a quarter of the slice
    REQUIRE(client.reserve(ref, 10));
    client.settle(ref, 10, 10);
  }
  CHECK(central.count("acquire") == 1);
  CHECK(central.count("renew") == 0);  // nothing on the request path, nothing due yet
  REQUIRE(client.reserve(ref, 10));   // balance 20 < 25: the renewer is woken
  client.settle(ref, 10, 10);
  REQUIRE(central.wait_for("renew", 1));
  {
    // The renewer reported the spend it had (70 or 80: it races the last settle) and topped the
    // lease up to a slice.
    auto views = central.ledger->current(0);
    REQUIRE(views);
    REQUIRE(views->size() == 1);
    int64_t settled = (*views)[0].row.settled_nano;
    CHECK((settled == 70 || settled == 80));
    REQUIRE((*views)[0].leases.size() == 1);
    CHECK((*views)[0].leases[0].granted_nano == settled + k_slice);
  }
  CHECK(client.sync_now() == 1);  // waits for a renewal in flight, then reports everything
  auto lease = client.status()["leases"][0];
  INFO(lease.dump());
  CHECK(lease["reported_nano"] == 80);
  CHECK(lease["granted_nano"] == 180);
  CHECK(lease["balance_nano"] == 100);
  CHECK(lease["state"] == "ok");

  // A request bigger than the balance renews on its own thread, asking for what it needs.
  REQUIRE(client.reserve(ref, 150));
  {
    std::lock_guard lock(central.mu);
    CHECK(central.bodies.back()["want_nano"] == 50);
  }
  client.settle(ref, 150, 120);

  client.stop();  // reports the final spend and releases
  CHECK(central.count("release") == 1);
  auto views = central.ledger->current(0);
  REQUIRE(views);
  REQUIRE(views->size() == 1);
  CHECK((*views)[0].row.settled_nano == 80 + 120);
  CHECK((*views)[0].leases.empty());
}

TEST_CASE("LeaseClient: an unreachable central refuses a request the lease cannot cover, with the reason") {
  gw::SystemClock clock;
  gw::agent::LeaseClientOptions o;
  {
    httplib::Server probe;  // a port nobody listens on once the probe is gone
    o.url = "http://127.0.0.1:" + std::to_string(probe.bind_to_any_port("127.0.0.1"));
  }
  o.token = "t";
  o.device_id = "dev-test";
  gw::agent::LeaseClient client(o, clock);
  gw::config::Budget budget{"daily", k_limit, gw::config::Period::day, gw::config::Window::calendar};
  auto r = client.reserve({"org", "daily", budget}, 10);
  REQUIRE_FALSE(r);
  CHECK(r.error().reason() == "lease_offline");
  CHECK(r.error().message().find("the central gateway cannot be reached to top up this device's lease on budget "
                                 "'daily' of the organisation") == 0);
  CHECK(client.status()["leases"][0]["state"] == "none");
}
