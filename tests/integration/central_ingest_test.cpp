// The audit trail from a device's spool to the central gateway: a real `gw serve`, the forwarder
// over HTTP, outages and restarts on both sides. Every record must arrive exactly once.
#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <thread>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "core/audit/forwarder.hpp"
#include "core/audit/forwarder_http.hpp"
#include "core/audit/spool.hpp"
#include "tests/support/central.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw;
using namespace std::chrono_literals;

namespace {

struct Device {
  test::TempDir home{"gw-device"};
  audit::FileDeviceKeyStore keys{home.path()};
  std::unique_ptr<audit::Spool> spool;
  std::unique_ptr<audit::Forwarder> forwarder;
  SystemClock clock;

  void open_spool() {
    audit::SpoolOptions o;
    o.dir = home.path() / "audit";
    o.checkpoint_every_events = 50;
    auto s = audit::Spool::open(o, keys);
    REQUIRE_MESSAGE(s, (s ? "" : s.error().message));
    spool = std::move(*s);
  }
  void start_forwarder(const std::string& url, std::string token = test::k_enrollment_token) {
    auto t = audit::make_http_transport({.url = url, .token = std::move(token)});
    REQUIRE(t);
    audit::ForwarderOptions fo;
    fo.max_batch_records = 40;
    fo.min_backoff_ms = 20;
    fo.max_backoff_ms = 200;
    fo.idle_poll_ms = 20;
    forwarder = std::make_unique<audit::Forwarder>(*spool, *keys.load_or_create(), std::move(*t), fo, clock);
    forwarder->start();
  }
  void append(int n) {
    for (int i = 0; i < n; ++i) {
      audit::AuditEvent ev;
      ev.kind = audit::EventKind::admitted;
      ev.model = "claude-sonnet-4-5";
      ev.request_id = "req-" + std::to_string(i);
      REQUIRE(spool->append_durable(ev));
    }
  }
  void close() {
    forwarder.reset();
    spool.reset();
  }
};

// Every stored record of the device, checking that seqs 1..last are each present exactly once
// (the store's unique key makes a second copy impossible; count and range prove none is missing).
void check_exactly_once(test::Central& central, const std::string& device_id, uint64_t last_seq) {
  auto store = central.open_store();
  auto dev = *store->find_device(device_id);
  REQUIRE(dev);
  CHECK(dev->head_seq == last_seq);
  CHECK(dev->alarms == 0);
  auto recs = *store->records(device_id, dev->epoch, 1, last_seq + 1000);
  CHECK(recs.size() == last_seq);
  std::set<uint64_t> seqs;
  for (auto& r : recs) seqs.insert(r.seq);
  CHECK(seqs.size() == last_seq);
  CHECK(*seqs.begin() == 1);
  CHECK(*seqs.rbegin() == last_seq);
}

}  // namespace

TEST_CASE("Central ingest: the forwarder ships a spool to gw serve and every record arrives exactly once") {
  test::Central central;
  Device dev;
  dev.open_spool();
  dev.append(120);
  dev.start_forwarder(central.url());
  REQUIRE(dev.spool->checkpoint_now());
  uint64_t last = dev.spool->last_seq();
  REQUIRE(dev.forwarder->wait_for_ack(last, 20s));
  auto st = dev.forwarder->status();
  CHECK(st.lag == 0);
  CHECK(st.state != "retrying");
  check_exactly_once(central, dev.spool->device_id(), last);
  // The feed (for SIEM exporters) has the events in device order, without checkpoints.
  auto feed = *central.open_store()->read_after(0, 100000);
  CHECK(feed.size() == 120);
}

TEST_CASE("Central ingest: a central outage under load loses nothing and duplicates nothing") {
  test::Central central;
  Device dev;
  dev.open_spool();
  dev.start_forwarder(central.url());
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread load([&] {
    while (!stop) {
      audit::AuditEvent ev;
      ev.model = "gpt-5";
      if (dev.spool->append_durable(ev)) ++written;
    }
  });
  REQUIRE(dev.forwarder->wait_for_ack(50, 20s));
  central.kill();  // the worst kind of outage: no goodbye
  // Records keep being written while the central is down; the forwarder backs off.
  uint64_t during = dev.spool->last_seq() + 200;
  while (dev.spool->last_seq() < during) std::this_thread::yield();
  CHECK(dev.forwarder->status().acked_seq < during);
  central.start();  // same port, same store
  while (dev.spool->last_seq() < during + 200) std::this_thread::yield();
  stop = true;
  load.join();
  REQUIRE(dev.spool->checkpoint_now());
  uint64_t last = dev.spool->last_seq();
  REQUIRE(dev.forwarder->wait_for_ack(last, 30s));
  check_exactly_once(central, dev.spool->device_id(), last);
}

TEST_CASE("Central ingest: after a device restart the forwarder resumes from its persisted cursor") {
  test::Central central;
  Device dev;
  dev.open_spool();
  dev.append(30);
  dev.start_forwarder(central.url());
  REQUIRE(dev.forwarder->wait_for_ack(dev.spool->last_seq(), 20s));
  dev.close();  // the spool writes its final checkpoint; the cursor is on disk

  dev.open_spool();
  uint64_t resumed_from = dev.spool->acked_seq();
  CHECK(resumed_from >= 30);
  dev.start_forwarder(central.url());
  dev.append(25);
  REQUIRE(dev.spool->checkpoint_now());
  uint64_t last = dev.spool->last_seq();
  REQUIRE(dev.forwarder->wait_for_ack(last, 20s));
  // Only what was not acknowledged before the restart was shipped again.
  CHECK(dev.forwarder->status().records == last - resumed_from);
  check_exactly_once(central, dev.spool->device_id(), last);
}

TEST_CASE("Central ingest: a wrong enrollment token is refused and nothing is stored") {
  test::Central central;
  Device dev;
  dev.open_spool();
  dev.append(3);
  dev.start_forwarder(central.url(), "not-the-token");
  // The refusal is visible in the status after the first attempt.
  REQUIRE(dev.forwarder->wait_until([](const audit::ForwarderStatus& s) { return s.failures > 0; }, 20s));
  auto st = dev.forwarder->status();
  CHECK(st.state == "refused");
  CHECK(st.last_error.find("enrollment token") != std::string::npos);
  CHECK(st.acked_seq == 0);
  CHECK(*central.open_store()->count_records() == 0);
}

TEST_CASE("gw serve: health endpoint, and a clean exit on SIGTERM") {
  test::Central central;
  httplib::Client c("127.0.0.1", central.port());
  auto r = c.Get("/v1/health");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(nlohmann::json::parse(r->body)["status"] == "ok");
  central.stop();
  auto code = central.process().wait(0ms);
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(central.process().stderr_text().find("gw serve stopped") != std::string::npos);
}
