#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/audit/record.hpp"
#include "core/audit/spool.hpp"
#include "core/audit/verify.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

using namespace gw::audit;
using nlohmann::json;

namespace {
SpoolOptions options_for(const std::filesystem::path& dir) {
  SpoolOptions o;
  o.dir = dir;
  o.device_id = "dev-test";
  o.checkpoint_every_events = 1000;
  o.checkpoint_every_ms = 3'600'000;
  return o;
}
std::vector<json> records(const std::filesystem::path& dir) {
  std::vector<json> out;
  for (const auto& l : test::segment_lines(dir)) out.push_back(json::parse(l));
  return out;
}
}  // namespace

TEST_CASE("Spool: durable appends get consecutive seqs, link by hash, and verify clean") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  gw::FakeClock clock(1700000000000);
  auto spool = Spool::open(options_for(tmp.path()), keys, &clock);
  REQUIRE(spool);
  for (uint64_t i = 1; i <= 5; ++i) {
    auto r = (*spool)->append_durable(test::sample_event());
    REQUIRE(r);
    CHECK(r->seq == i);
    CHECK(r->id.size() == 36);
  }
  auto recs = records(tmp.path());
  REQUIRE(recs.size() == 5);
  CHECK(recs[0]["prev"] == std::string(k_genesis_prev));
  CHECK(recs[0]["device_id"] == "dev-test");
  CHECK(recs[0]["time_ms"] == 1700000000000);
  auto lines = test::segment_lines(tmp.path());
  for (size_t i = 1; i < lines.size(); ++i) CHECK(recs[i]["prev"] == record_hash(lines[i - 1]));
  (*spool)->close();
  auto rep = verify_spool(tmp.path(), keys.key());
  CHECK(rep.ok());
  CHECK(rep.checkpoints == 1);  // close seals the tail with a checkpoint
  CHECK(rep.last_signed_seq == 6);
}

TEST_CASE("Spool: a checkpoint is written every N events and when T seconds have passed") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  gw::FakeClock clock(1700000000000);
  auto opts = options_for(tmp.path());
  opts.checkpoint_every_events = 3;
  opts.checkpoint_every_ms = 60'000;
  auto spool = Spool::open(opts, keys, &clock);
  REQUIRE(spool);
  for (int i = 0; i < 3; ++i) REQUIRE((*spool)->append_durable(test::sample_event()));
  auto recs = records(tmp.path());
  REQUIRE(recs.size() == 4);
  CHECK(recs[3]["record"] == "checkpoint");
  REQUIRE((*spool)->append_durable(test::sample_event()));
  clock.advance(61'000);
  REQUIRE((*spool)->append_durable(test::sample_event()));
  recs = records(tmp.path());
  REQUIRE(recs.size() == 7);
  CHECK(recs[6]["record"] == "checkpoint");
  CHECK(recs[6]["seq"] == 7);
}

TEST_CASE("Spool: durable appends made during a sync wait for it, then share one more fsync (group commit)") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  test::FaultyFileSystem fs;
  auto spool = Spool::open(options_for(tmp.path()), keys, nullptr, &fs);
  REQUIRE(spool);
  fs.arm_gate();
  std::thread first([&] { REQUIRE((*spool)->append_durable(test::sample_event())); });
  fs.wait_until_in_gate();  // the first appender commits on its own thread, inside its fsync
  const int syncs_before = fs.syncs.load();
  constexpr int k_waiting = 20;
  std::vector<std::thread> waiting;
  std::vector<uint64_t> seqs(k_waiting);
  for (int i = 0; i < k_waiting; ++i)
    waiting.emplace_back([&, i] {
      auto r = (*spool)->append_durable(test::sample_event());
      REQUIRE(r);
      seqs[i] = r->seq;
    });
  // Every appender has queued its record before the gate opens.
  while ((*spool)->queued() < k_waiting) std::this_thread::yield();
  fs.release();
  first.join();
  for (auto& t : waiting) t.join();
  // The first sync held only the first record; the 20 queued during it were committed together.
  CHECK(fs.syncs.load() - syncs_before == 2);
  CHECK(*std::max_element(seqs.begin(), seqs.end()) == 21);
}

TEST_CASE("Spool: a completed record waits for the next durable commit and shares its fsync") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  test::FaultyFileSystem fs;
  auto opts = options_for(tmp.path());
  opts.lazy_write_ms = 3'600'000;  // never by age in this test
  auto spool = Spool::open(opts, keys, nullptr, &fs);
  REQUIRE(spool);
  const int syncs_before = fs.syncs.load();
  auto done = (*spool)->append(test::sample_event(EventKind::completed));
  CHECK_FALSE(done.ready());
  CHECK(fs.syncs.load() == syncs_before);  // queued, not written
  auto r = (*spool)->append_durable(test::sample_event());
  REQUIRE(r);
  CHECK(r->seq == 2);
  CHECK(done.ready());
  CHECK(done.wait()->seq == 1);
  CHECK(fs.syncs.load() - syncs_before == 1);
}

TEST_CASE("Spool: a completed record with no admission after it is written within lazy_write_ms") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  auto opts = options_for(tmp.path());
  opts.lazy_write_ms = 5;
  auto spool = Spool::open(opts, keys);
  REQUIRE(spool);
  auto done = (*spool)->append(test::sample_event(EventKind::completed));
  // Not waited on through the ticket (that would ask for an immediate write): poll the durable seq.
  while ((*spool)->last_seq() < 1) std::this_thread::yield();
  CHECK(done.ready());
  CHECK(test::segment_lines(tmp.path()).size() == 1);
}

TEST_CASE("Spool: 16 threads appending durably: every event present once, in sequence, chain valid") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  auto opts = options_for(tmp.path());
  opts.checkpoint_every_events = 100;
  opts.segment_bytes = 64 * 1024;  // force several segment rotations
  auto spool = Spool::open(opts, keys);
  REQUIRE(spool);
  constexpr int k_threads = 16, k_per_thread = 60;
  std::vector<std::vector<uint64_t>> seqs(k_threads);
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < k_per_thread; ++i) {
        auto ev = test::sample_event();
        ev.request_id = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto r = (*spool)->append_durable(std::move(ev));
        if (r) seqs[t].push_back(r->seq);
      }
    });
  for (auto& th : threads) th.join();
  (*spool)->close();
  std::set<uint64_t> all;
  for (const auto& s : seqs) {
    CHECK(s.size() == static_cast<size_t>(k_per_thread));
    CHECK(std::is_sorted(s.begin(), s.end()));
    all.insert(s.begin(), s.end());
  }
  CHECK(all.size() == static_cast<size_t>(k_threads * k_per_thread));
  std::set<std::string> request_ids;
  uint64_t expect = 1;
  for (const auto& r : records(tmp.path())) {
    CHECK(r["seq"] == expect++);
    if (r["record"] == "event") request_ids.insert(r["request_id"].get<std::string>());
  }
  CHECK(request_ids.size() == static_cast<size_t>(k_threads * k_per_thread));
  CHECK(list_segments(tmp.path()).size() > 1);
  auto rep = verify_spool(tmp.path(), keys.key());
  CHECK(rep.ok());
  CHECK(rep.notes.empty());
}

TEST_CASE("Spool: reopening continues the sequence and the chain") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  {
    auto spool = Spool::open(options_for(tmp.path()), keys);
    REQUIRE(spool);
    REQUIRE((*spool)->append_durable(test::sample_event()));
  }
  auto spool = Spool::open(options_for(tmp.path()), keys);
  REQUIRE(spool);
  CHECK_FALSE((*spool)->recovery().repaired);
  auto r = (*spool)->append_durable(test::sample_event());
  REQUIRE(r);
  CHECK(r->seq == 3);  // 1 event + 1 closing checkpoint before it
  (*spool)->close();
  CHECK(verify_spool(tmp.path(), keys.key()).ok());
}

TEST_CASE("Spool: after a restart, the records already on disk are durable at once (the forwarder ships them)") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  {
    auto spool = Spool::open(options_for(tmp.path()), keys);
    REQUIRE(spool);
    for (int i = 0; i < 3; ++i) REQUIRE((*spool)->append_durable(test::sample_event()));
  }
  auto spool = Spool::open(options_for(tmp.path()), keys);
  REQUIRE(spool);
  CHECK((*spool)->last_seq() == 4);  // 3 events + the closing checkpoint, before any new write
}

TEST_CASE("Spool: at the size cap, admissions are refused with a clear message; completions still land") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  auto opts = options_for(tmp.path());
  opts.max_bytes = 1500;
  auto spool = Spool::open(opts, keys);
  REQUIRE(spool);
  gw::Result<AppendReceipt> r = AppendReceipt{};
  int admitted = 0;
  while ((r = (*spool)->append_durable(test::sample_event())) && admitted < 100) ++admitted;
  REQUIRE_FALSE(r);
  CHECK(admitted > 0);
  CHECK(r.error().message.find("audit spool is full") != std::string::npos);
  CHECK(r.error().message.find("refused") != std::string::npos);
  auto done = (*spool)->append(test::sample_event(EventKind::completed)).wait();
  CHECK(done);
}

TEST_CASE("Spool: prune_shipped frees acknowledged segments and verify still passes from the anchor") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  auto opts = options_for(tmp.path());
  opts.max_bytes = 3000;
  opts.segment_bytes = 1000;
  opts.on_full = FullPolicy::prune_shipped;
  auto spool = Spool::open(opts, keys);
  REQUIRE(spool);
  for (int i = 0; i < 6; ++i) REQUIRE((*spool)->append_durable(test::sample_event()));
  REQUIRE((*spool)->set_acked_seq((*spool)->last_seq()));
  for (int i = 0; i < 4; ++i) {
    auto r = (*spool)->append_durable(test::sample_event());
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
  }
  CHECK((*spool)->bytes_on_disk() <= 3000);
  CHECK(list_segments(tmp.path()).front().first_seq > 1);
  (*spool)->close();
  auto rep = verify_spool(tmp.path(), keys.key());
  CHECK(rep.ok());
  CHECK(rep.first_seq > 1);
}

TEST_CASE("Spool: the ship cursor survives a restart and never moves backwards") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  {
    auto spool = Spool::open(options_for(tmp.path()), keys);
    REQUIRE(spool);
    for (int i = 0; i < 3; ++i) REQUIRE((*spool)->append_durable(test::sample_event()));
    REQUIRE((*spool)->set_acked_seq(2));
    REQUIRE((*spool)->set_acked_seq(1));
    CHECK((*spool)->acked_seq() == 2);
  }
  auto spool = Spool::open(options_for(tmp.path()), keys);
  REQUIRE(spool);
  CHECK((*spool)->acked_seq() == 2);
}
