// Central gateway throughput on SQLite and on PostgreSQL with one and two replicas.
//   BM_IngestHttp/driver/replicas   8 devices (threads) ship realistic audit batches of 100
//                                   records over loopback HTTP to in-process CentralServers; with
//                                   two replicas, device i ships to replica i % 2 (one database).
//                                   items_per_second = records stored per second, all devices.
//   BM_LeaseOps/driver/replicas     8 devices renew leases on one team budget through LeaseApi
//                                   (no HTTP), alternating replicas per request;
//                                   items_per_second = lease operations per second.
// driver: 0 = SQLite (one replica only), 1 = PostgreSQL. PostgreSQL is a private server started
// by tests/support/postgres (unix socket, fsync on, default settings) on the same machine.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "core/audit/event.hpp"
#include "core/audit/forwarder.hpp"
#include "core/audit/forwarder_http.hpp"
#include "core/audit/record.hpp"
#include "core/common/crypto.hpp"
#include "core/config/policy.hpp"
#include "core/storage/pg_stores.hpp"
#include "core/storage/sqlite_audit_store.hpp"
#include "core/storage/sqlite_lease_ledger.hpp"
#include "server/central_server.hpp"
#include "server/lease_api.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/temp_dir.hpp"

namespace {
namespace fs = std::filesystem;
using namespace gw;

constexpr int k_devices = 8;
constexpr size_t k_batch = 100;

test::Postgres* postgres() {
  static std::unique_ptr<test::Postgres> pg;
  static bool tried = false;
  if (!tried) {
    tried = true;
    std::string why;
    test::PostgresOptions o;
    o.fsync = true;  // as in production: a commit is on disk
    pg = test::Postgres::start(&why, o);
  }
  return pg.get();
}

std::string event_line(const std::string& device, uint64_t seq, const std::string& prev) {
  audit::AuditEvent ev;
  ev.seq = seq;
  ev.prev = prev;
  ev.id = "0194bd2c-5a3b-7c1e-9f00-" + std::to_string(100000000000 + seq);
  ev.kind = audit::EventKind::completed;
  ev.time_ms = 1700000000000 + static_cast<int64_t>(seq);
  ev.request_id = "req-" + std::to_string(seq);
  ev.device_id = device;
  ev.user = "alice@example.com";
  ev.virtual_key_id = "vk_alice";
  ev.team = "platform";
  ev.agent = "claude-code";
  ev.provider = "anthropic";
  ev.model = "claude-sonnet-4-5";
  ev.endpoint = "POST /v1/messages";
  ev.streamed = true;
  ev.http_status = 200;
  ev.decision = audit::Decision::allowed;
  ev.usage = audit::Usage{1200, 340, 1000, 50, 12};
  ev.cost_nano_usd = 4560000;
  ev.bytes_in = 5321;
  ev.bytes_out = 2210;
  ev.policy_version = "p-7";
  ev.gw_version = "0.1.0";
  return audit::serialize_event(ev);
}

// The stores of every replica of one run: SQLite (one) or PostgreSQL (one pool each, one database).
struct Replicas {
  std::unique_ptr<test::TempDir> dir;
  std::vector<std::unique_ptr<storage::AuditStore>> audit;
  std::vector<std::unique_ptr<storage::LeaseLedger>> leases;
  std::string error;

  Replicas(int driver, int count) {
    dir = std::make_unique<test::TempDir>("gw-pg-bench");
    if (driver == 0) {
      audit.push_back(std::move(*storage::SqliteAuditStore::open(dir->path() / "central.db")));
      leases.push_back(std::move(*storage::SqliteLeaseLedger::open(dir->path() / "central.db")));
      return;
    }
    test::Postgres* pg = postgres();
    if (!pg) {
      error = "PostgreSQL is not installed";
      return;
    }
    std::string url = pg->fresh_database();
    for (int i = 0; i < count; ++i) {
      auto s = storage::open_pg_stores({url, 8});
      if (!s) {
        error = s.error().message;
        return;
      }
      audit.push_back(std::move(s->audit));
      leases.push_back(std::move(s->leases));
    }
  }
};

struct IngestRun {
  std::unique_ptr<Replicas> replicas;
  server::ServerConfig config;
  SystemClock clock;
  std::vector<std::unique_ptr<server::CentralServer>> servers;
  std::vector<int> ports;
};
IngestRun* g_ingest = nullptr;

void BM_IngestHttp(benchmark::State& state) {
  int driver = static_cast<int>(state.range(0)), count = static_cast<int>(state.range(1));
  if (state.thread_index() == 0) {
    g_ingest = new IngestRun();
    g_ingest->replicas = std::make_unique<Replicas>(driver, count);
    g_ingest->config.port = 0;
    g_ingest->config.storage_path = g_ingest->replicas->dir->path() / "central";
    g_ingest->config.enrollment_tokens.push_back({"bench", "sha256:" + sha256_hex("bench-token")});
    for (auto& store : g_ingest->replicas->audit) {
      g_ingest->servers.push_back(std::make_unique<server::CentralServer>(g_ingest->config, *store, g_ingest->clock));
      g_ingest->ports.push_back(*g_ingest->servers.back()->start());
    }
  }
  // (the first iteration waits for every thread, so thread 0's setup is done before it)
  std::unique_ptr<audit::ShipTransport> transport;
  std::string device = "dev-bench-" + std::to_string(state.thread_index());
  audit::DeviceKey key = audit::DeviceKey::generate();
  uint64_t seq = 0;
  std::string prev{audit::k_genesis_prev};
  // Each device builds, hashes and signs its batch in the loop, as a forwarder does (same cores).
  for (auto _ : state) {
    if (!g_ingest->replicas->error.empty()) {
      state.SkipWithError(g_ingest->replicas->error.c_str());
      break;
    }
    if (!transport) {
      int port = g_ingest->ports[static_cast<size_t>(state.thread_index()) % g_ingest->ports.size()];
      transport = std::move(*audit::make_http_transport({.url = "http://127.0.0.1:" + std::to_string(port), .token = "bench-token"}));
    }
    std::vector<std::string> lines;
    for (size_t i = 0; i < k_batch; ++i) {
      lines.push_back(event_line(device, ++seq, prev));
      prev = audit::record_hash(lines.back());
    }
    std::string body = audit::Forwarder::batch_body(device, key, lines);
    std::string sig = "ed25519=" + to_hex(*key.sign(body));
    auto r = transport->send(body, sig);
    if (!r || r->acked_seq != seq) state.SkipWithError(r ? "short ack" : r.error().message.c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * k_batch));
  transport.reset();
  if (state.thread_index() == 0) {
    // The loop's end is a barrier across the threads: no device sends any more.
    for (auto& s : g_ingest->servers) s->stop();
    delete g_ingest;
    g_ingest = nullptr;
  }
}

void BM_LeaseOps(benchmark::State& state) {
  int driver = static_cast<int>(state.range(0)), count = static_cast<int>(state.range(1));
  static std::unique_ptr<Replicas> replicas;
  static std::vector<std::unique_ptr<server::LeaseApi>> apis;
  static server::ServerConfig config;
  static SystemClock clock;
  static std::shared_ptr<const config::Policy> policy;
  if (state.thread_index() == 0) {
    apis.clear();
    replicas = std::make_unique<Replicas>(driver, count);
    policy = *config::parse_policy("version = \"bench\"\n[teams.platform]\nbudgets.daily = { usd = 1000000, period = \"day\" }\n",
                                   "bench.toml");
    for (auto& l : replicas->leases)
      apis.push_back(std::make_unique<server::LeaseApi>(config, *l, clock, [] { return policy; }));
  }
  std::string device = "dev-" + std::to_string(state.thread_index());
  nlohmann::json lease;
  int64_t spent = 0;
  uint64_t n = 0;
  for (auto _ : state) {
    if (!replicas->error.empty()) {
      state.SkipWithError(replicas->error.c_str());
      break;
    }
    nlohmann::json body = {{"v", 1}, {"device_id", device}, {"scope", "team:platform"}, {"budget", "daily"},
                           {"request_id", device + "-" + std::to_string(n)}};
    if (lease.is_null()) {
      body["op"] = "acquire";
    } else {
      spent += 1000;
      body["op"] = "renew";
      body["lease_id"] = lease["lease_id"];
      body["window_start_ms"] = lease["window_start_ms"];
      body["spent_nano"] = spent;
    }
    auto r = apis[(n++ + static_cast<uint64_t>(state.thread_index())) % apis.size()]->handle(body.dump(), "bench");
    if (r.status != 200) {
      state.SkipWithError(("lease answer " + std::to_string(r.status) + ": " + r.body.dump()).c_str());
      break;
    }
    lease = r.body;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK(BM_IngestHttp)
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({1, 2})
    ->ArgNames({"driver", "replicas"})
    ->Threads(k_devices)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LeaseOps)
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({1, 2})
    ->ArgNames({"driver", "replicas"})
    ->Threads(k_devices)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
