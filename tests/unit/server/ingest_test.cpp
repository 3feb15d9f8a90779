#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "server/ingest.hpp"
#include "tests/unit/server/audit_store_under_test.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/server/chain_builder.hpp"

using namespace gw;
using nlohmann::json;

namespace {

struct Fixture {
  test::TempDir tmp{"gw-ingest"};
  std::unique_ptr<storage::AuditStore> store = test::open_audit_store_under_test(tmp.path());
  FakeClock clock{1700000000000};

  server::IngestResult ingest(const server::IngestBatch& b) {
    auto r = server::ingest_batch(*store, b, clock);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
    return *r;
  }
  std::vector<json> feed() {
    std::vector<json> out;
    auto events = store->read_after(0, 100000);
    REQUIRE(events);
    for (auto& e : *events) out.push_back(json::parse(e.json));
    return out;
  }
  std::vector<json> alarms() {
    std::vector<json> out;
    for (auto& j : feed())
      if (j.value("kind", "") == "alarm") out.push_back(j);
    return out;
  }
};

}  // namespace

TEST_CASE("Ingest: a batch is stored and the highest contiguous seq acknowledged") {
  Fixture f;
  test::ChainBuilder chain;
  auto lines = chain.events(5);
  lines.push_back(chain.checkpoint());
  auto r = f.ingest(chain.batch(lines));
  CHECK(r.acked_seq == 6);
  CHECK(r.stored == 6);
  CHECK(r.duplicates == 0);
  CHECK(r.alarms.empty());
  CHECK(*f.store->count_records() == 6);
  // The feed holds events, not checkpoints, byte for byte, in order.
  auto feed = *f.store->read_after(0, 100);
  REQUIRE(feed.size() == 5);
  for (size_t i = 0; i < 5; ++i) CHECK(feed[i].json == lines[i]);
  CHECK(feed[0].position < feed[4].position);
}

TEST_CASE("Ingest: resent and overlapping batches are stored exactly once") {
  Fixture f;
  test::ChainBuilder chain;
  auto lines = chain.events(10);
  f.ingest(chain.batch({lines.begin(), lines.begin() + 6}));
  auto again = f.ingest(chain.batch({lines.begin(), lines.begin() + 6}));
  CHECK(again.duplicates == 6);
  CHECK(again.stored == 0);
  auto overlap = f.ingest(chain.batch({lines.begin() + 4, lines.end()}));
  CHECK(overlap.duplicates == 2);
  CHECK(overlap.stored == 4);
  CHECK(overlap.acked_seq == 10);
  CHECK(*f.store->count_records() == 10);
  CHECK(f.alarms().empty());
}

TEST_CASE("Ingest: a gap raises an alarm naming the missing seqs and the ack moves past it") {
  Fixture f;
  test::ChainBuilder chain;
  auto lines = chain.events(8);
  f.ingest(chain.batch({lines.begin(), lines.begin() + 3}));
  auto r = f.ingest(chain.batch({lines.begin() + 5, lines.end()}));
  REQUIRE(r.alarms == std::vector<std::string>{"gap"});
  CHECK(r.acked_seq == 8);
  auto a = f.alarms();
  REQUIRE(a.size() == 1);
  CHECK(a[0]["alarm"] == "gap");
  CHECK(a[0]["seq_from"] == 4);
  CHECK(a[0]["seq_to"] == 5);
  CHECK(a[0]["source"] == "central");
  CHECK(a[0]["reason"].get<std::string>().find("4..5") != std::string::npos);
  // The missing records arriving late are still stored, without another alarm.
  auto late = f.ingest(chain.batch({lines.begin() + 3, lines.begin() + 5}));
  CHECK(late.stored == 2);
  CHECK(late.alarms.empty());
  CHECK(*f.store->count_records() == 8);
}

TEST_CASE("Ingest: a record whose content changed after shipping is a fork, not stored") {
  Fixture f;
  test::ChainBuilder chain;
  auto lines = chain.events(4);
  f.ingest(chain.batch(lines));
  std::string edited = lines[2];
  edited.replace(edited.find("claude-sonnet-4-5"), 17, "claude-opus-4-xxx");
  auto r = f.ingest(chain.batch({edited}));
  CHECK(r.alarms == std::vector<std::string>{"fork"});
  CHECK(r.stored == 0);
  CHECK(r.acked_seq == 4);
  auto stored = *f.store->records("dev-a", 0, 3, 3);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].line == lines[2]);
}

TEST_CASE("Ingest: a new record that does not link to the stored head is a fork (chain broken)") {
  Fixture f;
  test::ChainBuilder chain;
  auto lines = chain.events(3);
  f.ingest(chain.batch(lines));
  test::ChainBuilder other("dev-a", chain.key());  // same device id and key, another history
  auto theirs = other.events(4);
  auto r = f.ingest(chain.batch({theirs[3]}));
  CHECK(r.alarms == std::vector<std::string>{"fork"});
  CHECK(r.acked_seq == 4);
  CHECK(f.alarms().at(0)["reason"].get<std::string>().find("chain broken") != std::string::npos);
}

TEST_CASE("Ingest: a chain restarting at seq 1 is a reset: alarm, new epoch, old chain kept") {
  Fixture f;
  test::ChainBuilder chain;
  f.ingest(chain.batch(chain.events(5)));
  test::ChainBuilder fresh("dev-a", chain.key());
  auto r = f.ingest(chain.batch(fresh.events(2)));
  CHECK(r.alarms == std::vector<std::string>{"reset"});
  CHECK(r.epoch == 1);
  CHECK(r.acked_seq == 2);
  CHECK(r.stored == 2);
  CHECK(f.store->records("dev-a", 0, 1, 100)->size() == 5);
  CHECK(f.store->records("dev-a", 1, 1, 100)->size() == 2);
  auto dev = *f.store->find_device("dev-a");
  REQUIRE(dev);
  CHECK(dev->epoch == 1);
  // Resending the new chain is deduplicated within the new epoch, with no second reset.
  auto again = f.ingest(chain.batch(test::ChainBuilder("dev-a", chain.key()).events(0)));
  CHECK(again.alarms.empty());
}

TEST_CASE("Ingest: a checkpoint signed by another key raises forged_checkpoint") {
  Fixture f;
  test::ChainBuilder chain;
  auto lines = chain.events(2);
  auto intruder = audit::DeviceKey::generate();
  lines.push_back(chain.checkpoint(&intruder));
  lines.push_back(chain.checkpoint());
  auto r = f.ingest(chain.batch(lines));
  CHECK(r.alarms == std::vector<std::string>{"forged_checkpoint"});
  CHECK(r.acked_seq == 4);
}

TEST_CASE("Ingest: a device bound to one key refuses batches signed by another (TOFU), with an alarm") {
  Fixture f;
  test::ChainBuilder chain;
  f.ingest(chain.batch(chain.events(2)));
  test::ChainBuilder impostor("dev-a");
  auto r = f.ingest(impostor.batch(impostor.events(3)));
  CHECK_FALSE(r.rejected.empty());
  CHECK(r.alarms == std::vector<std::string>{"key_mismatch"});
  CHECK(r.acked_seq == 2);
  CHECK(*f.store->count_records() == 2);
}

TEST_CASE("Ingest: malformed records, foreign device ids and unordered seqs are refused with the record named") {
  Fixture f;
  test::ChainBuilder chain;
  auto lines = chain.events(3);
  auto bad = server::ingest_batch(*f.store, chain.batch({lines[0], "not json"}), f.clock);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("records[1]") != std::string::npos);
  auto unordered = server::ingest_batch(*f.store, chain.batch({lines[1], lines[0]}), f.clock);
  REQUIRE_FALSE(unordered);
  CHECK(unordered.error().message.find("increasing seq order") != std::string::npos);
  test::ChainBuilder other("dev-b");
  auto foreign = server::ingest_batch(*f.store, chain.batch({other.event()}), f.clock);
  REQUIRE_FALSE(foreign);
  CHECK(foreign.error().message.find("names device \"dev-b\"") != std::string::npos);
  CHECK(*f.store->count_records() == 0);
}

TEST_CASE("Ingest: batch bodies are validated field by field") {
  CHECK(server::parse_batch_body("[]", 10).error().message.find("JSON object") != std::string::npos);
  CHECK(server::parse_batch_body(R"({"v":2})", 10).error().message.find("\"v\" must be 1") != std::string::npos);
  CHECK(server::parse_batch_body(R"({"v":1,"device_id":"d","public_key":"ab","records":[]})", 10)
            .error().message.find("public_key") != std::string::npos);
  std::string key(64, 'a');
  auto ok = server::parse_batch_body(R"({"v":1,"device_id":"d","public_key":")" + key + R"(","records":["x"]})", 10);
  REQUIRE(ok);
  CHECK(ok->records.size() == 1);
  auto big = server::parse_batch_body(R"({"v":1,"device_id":"d","public_key":")" + key + R"(","records":["x","y"]})", 1);
  CHECK(big.error().message.find("exceeds the limit of 1") != std::string::npos);
}

TEST_CASE("AuditStore: the feed waits for new events and reads after a position") {
  Fixture f;
  test::ChainBuilder chain;
  CHECK_FALSE(f.store->wait_for_new(0, std::chrono::milliseconds(1)));
  f.ingest(chain.batch(chain.events(3)));
  CHECK(f.store->wait_for_new(0, std::chrono::milliseconds(1)));
  auto all = *f.store->read_after(0, 10);
  REQUIRE(all.size() == 3);
  auto rest = *f.store->read_after(all[0].position, 10);
  CHECK(rest.size() == 2);
  CHECK_FALSE(f.store->wait_for_new(all[2].position, std::chrono::milliseconds(1)));
}
