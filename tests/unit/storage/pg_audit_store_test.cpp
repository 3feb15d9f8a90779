// PgAuditStore on a real, private PostgreSQL: two store instances on one database stand for two
// `gw serve` replicas. The ingest rules themselves run on PostgreSQL in unit_server_pg.
#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <thread>

#include "core/storage/pg_audit_store.hpp"
#include "tests/support/postgres.hpp"

using namespace gw;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<storage::PgAuditStore> open_replica(const std::string& url) {
  auto pool = storage::pg::Pool::open(url, 4);
  REQUIRE_MESSAGE(pool, (pool ? "" : pool.error().message));
  auto s = storage::PgAuditStore::open(std::shared_ptr<storage::pg::Pool>(std::move(*pool)));
  REQUIRE_MESSAGE(s, (s ? "" : s.error().message));
  return std::move(*s);
}

// Stores seqs [from, to] of `device` the way ingest does: skip what is stored, insert the rest,
// move the head. Returns the transaction's status.
Status store_range(storage::AuditStore& store, const std::string& device, uint64_t from, uint64_t to) {
  return store.transact(device, [&](storage::DeviceTxn& txn) -> Status {
    GW_TRY(found, txn.device());
    storage::DeviceRow d = found ? *found : storage::DeviceRow{device, "pk", "t"};
    for (uint64_t seq = from; seq <= to; ++seq) {
      GW_TRY(h, txn.stored_hash(0, seq));
      if (h) continue;
      GW_CHECK(txn.insert_record(0, {seq, "h" + std::to_string(seq), "event", "{\"seq\":" + std::to_string(seq) + "}"}));
      ++d.records;
    }
    d.head_seq = std::max(d.head_seq, to);
    return txn.put_device(d);
  });
}

}  // namespace

TEST_CASE("PgAuditStore: two replicas storing the same device's batches concurrently store each record once") {
  GW_REQUIRE_POSTGRES(pg);
  std::string url = pg->fresh_database();
  auto a = open_replica(url);
  auto b = open_replica(url);
  constexpr uint64_t k_records = 120;
  std::atomic<int> failures{0};
  std::string first_error;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      storage::AuditStore& s = t % 2 ? static_cast<storage::AuditStore&>(*b) : *a;
      // Every thread resends the whole chain in overlapping batches, as retrying devices do.
      for (uint64_t from = 1; from <= k_records; from += 10) {
        auto st = store_range(s, "dev-1", from, std::min(k_records, from + 14));
        if (!st) {
          std::lock_guard l(mu);
          if (failures++ == 0) first_error = st.error().message;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK_MESSAGE(failures == 0, first_error);
  CHECK(*a->count_records() == k_records);
  auto recs = b->records("dev-1", 0, 1, k_records);
  REQUIRE(recs);
  REQUIRE(recs->size() == k_records);
  for (uint64_t i = 0; i < k_records; ++i) CHECK((*recs)[i].seq == i + 1);
  auto dev = a->find_device("dev-1");
  REQUIRE(dev);
  REQUIRE(dev->has_value());
  CHECK((*dev)->records == k_records);  // counted once: the device row was never lost or doubled
  CHECK((*dev)->head_seq == k_records);
}

TEST_CASE("PgAuditStore: a SIEM reader following either replica's feed misses no event under concurrent ingest") {
  GW_REQUIRE_POSTGRES(pg);
  std::string url = pg->fresh_database();
  auto a = open_replica(url);
  auto b = open_replica(url);
  constexpr int k_devices = 6, k_batches = 40, k_per_batch = 3;
  constexpr size_t k_total = size_t{k_devices} * k_batches * (k_per_batch + 1);
  std::vector<uint64_t> seen;
  std::atomic<bool> writers_done{false};
  std::thread reader([&] {
    uint64_t cursor = 0;
    auto deadline = std::chrono::steady_clock::now() + 120s;
    while (seen.size() < k_total && std::chrono::steady_clock::now() < deadline) {
      auto events = b->read_after(cursor, 50);  // small pages: many reads while writers commit
      if (!events) break;
      for (auto& e : *events) {
        seen.push_back(e.position);
        cursor = e.position;
      }
      if (events->empty()) b->wait_for_new(cursor, 1s);
    }
  });
  std::vector<std::thread> writers;
  for (int d = 0; d < k_devices; ++d) {
    writers.emplace_back([&, d] {
      storage::AuditStore& s = d % 2 ? static_cast<storage::AuditStore&>(*b) : *a;
      std::string dev = "dev-" + std::to_string(d);
      for (int i = 0; i < k_batches; ++i) {
        uint64_t from = static_cast<uint64_t>(i) * k_per_batch + 1;
        auto st = s.transact(dev, [&](storage::DeviceTxn& txn) -> Status {
          for (uint64_t seq = from; seq < from + k_per_batch; ++seq)
            GW_CHECK(txn.insert_record(0, {seq, "h", "event", "{}"}));
          return txn.insert_event("{\"kind\":\"alarm\"}");
        });
        CHECK_MESSAGE(st, (st ? "" : st.error().message));
      }
    });
  }
  for (auto& w : writers) w.join();
  writers_done = true;
  reader.join();
  auto all = a->read_after(0, k_total + 10);
  REQUIRE(all);
  CHECK(all->size() == k_total);
  CHECK(seen.size() == k_total);  // a position committed below the reader's cursor would be missed
  std::set<uint64_t> unique(seen.begin(), seen.end());
  CHECK(unique.size() == seen.size());
}

TEST_CASE("PgAuditStore: wait_for_new on one replica wakes when another replica commits") {
  GW_REQUIRE_POSTGRES(pg);
  std::string url = pg->fresh_database();
  auto a = open_replica(url);
  auto b = open_replica(url);
  CHECK_FALSE(b->wait_for_new(0, 1ms));
  std::atomic<bool> woke{false};
  std::thread waiter([&] { woke = b->wait_for_new(0, 60s); });
  REQUIRE(store_range(*a, "dev-1", 1, 3));
  waiter.join();
  CHECK(woke);  // woken by the NOTIFY of a's commit (b did not write)
  auto events = b->read_after(0, 10);
  REQUIRE(events);
  CHECK(events->size() == 3);
}

TEST_CASE("PgAuditStore: reopening keeps the data and migrates the schema once") {
  GW_REQUIRE_POSTGRES(pg);
  std::string url = pg->fresh_database();
  {
    auto a = open_replica(url);
    REQUIRE(store_range(*a, "dev-1", 1, 2));
  }
  auto again = open_replica(url);
  CHECK(*again->count_records() == 2);
  auto c = storage::pg::Connection::open(url);
  REQUIRE(c);
  storage::pg::Params p;
  auto r = (*c)->run_once("SELECT COUNT(*) FROM gw_schema WHERE component = 'audit'", p, "counting");
  REQUIRE(r);
  CHECK(storage::pg::cell_i64(*r, 0, 0) == 1);
}

TEST_CASE("PgAuditStore: a wrong URL or an unreachable server is a precise error without the password") {
  auto bad = storage::pg::Pool::open("postgresql://gw:hunter2@[oops", 2);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::config);
  CHECK(bad.error().message.find("hunter2") == std::string::npos);
  test::TempDir empty("gw-nopg");
  auto down = storage::pg::Pool::open("postgresql://gw:hunter2@/gw?host=" + empty.path().string(), 2);
  REQUIRE_FALSE(down);
  CHECK(down.error().code == Errc::unavailable);
  CHECK(down.error().message.find("hunter2") == std::string::npos);
  CHECK(down.error().message.find("cannot connect to postgresql://gw@") != std::string::npos);
  CHECK(down.error().message.find("is the server running") != std::string::npos);
}

TEST_CASE("PgAuditStore: connections the server closed are replaced without failing a request") {
  GW_REQUIRE_POSTGRES(pg);
  std::string url = pg->fresh_database();
  auto a = open_replica(url);
  REQUIRE(store_range(*a, "dev-1", 1, 2));
  {
    // What a database restart or an idle-session timeout does to every pooled connection.
    auto admin = storage::pg::Connection::open(url);
    REQUIRE(admin);
    storage::pg::Params p;
    auto r = (*admin)->run_once("SELECT COUNT(*), string_agg(pid::text, ',') FROM pg_stat_activity"
                                " WHERE datname = current_database() AND pid <> pg_backend_pid()",
                                p, "listing");
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
    CHECK(storage::pg::cell_i64(*r, 0, 0) >= 2);  // the pool's connection and the feed listener's
    storage::pg::Params pids;
    pids.text(storage::pg::cell(*r, 0, 1));
    auto killed = (*admin)->run_once("SELECT pg_terminate_backend(pid::int) FROM unnest(string_to_array($1, ',')) AS pid",
                                     pids, "terminating");
    REQUIRE_MESSAGE(killed, (killed ? "" : killed.error().message));
    // The backends exit asynchronously: wait (bounded) until none of them is left.
    auto deadline = std::chrono::steady_clock::now() + 30s;
    int64_t left = 1;
    while (left > 0 && std::chrono::steady_clock::now() < deadline) {
      auto q = (*admin)->run_once("SELECT COUNT(*) FROM pg_stat_activity WHERE pid::text = ANY(string_to_array($1, ','))",
                                  pids, "counting");
      REQUIRE(q);
      left = storage::pg::cell_i64(*q, 0, 0);
    }
    REQUIRE(left == 0);
  }
  auto n = a->count_records();  // a read first: no transaction retry to hide a stale connection
  REQUIRE_MESSAGE(n, (n ? "" : n.error().message));
  CHECK(*n == 2);
  auto st = store_range(*a, "dev-1", 3, 4);
  CHECK_MESSAGE(st, (st ? "" : st.error().message));
  CHECK(*a->count_records() == 4);
}
