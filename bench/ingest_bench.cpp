// Central audit ingest throughput on SQLite (issue 4: tens of thousands of events per second).
//   BM_IngestStore/N   server::ingest_batch straight into SqliteAuditStore, batches of N records
//                      (record checks, chain verification, one transaction + fsync per batch)
//   BM_IngestHttp/N    the whole path: forwarder body + Ed25519 signature, HTTP to an in-process
//                      CentralServer on loopback, token + signature check, ingest, reply
// Records are realistic `completed` events (~700 bytes) with a checkpoint every 1000.
// items_per_second = records stored per second. Runs on the real disk under the temp directory.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "core/audit/event.hpp"
#include "core/audit/forwarder.hpp"
#include "core/audit/forwarder_http.hpp"
#include "core/audit/record.hpp"
#include "core/common/crypto.hpp"
#include "core/storage/sqlite_audit_store.hpp"
#include "server/central_server.hpp"
#include "server/ingest.hpp"

namespace {
namespace fs = std::filesystem;
using namespace gw;

struct Chain {
  std::string device = "dev-bench";
  audit::DeviceKey key = audit::DeviceKey::generate();
  uint64_t seq = 0;
  std::string prev{audit::k_genesis_prev};

  std::string next() {
    ++seq;
    std::string line;
    if (seq % 1000 == 0) {
      line = *audit::make_checkpoint_line(seq, prev, 1700000000000, device, key);
    } else {
      audit::AuditEvent ev;
      ev.seq = seq;
      ev.prev = prev;
      ev.id = "0194bd2c-5a3b-7c1e-9f00-" + std::to_string(100000000000 + seq);
      ev.kind = audit::EventKind::completed;
      ev.time_ms = 1700000000000 + static_cast<int64_t>(seq);
      ev.request_started_ms = ev.time_ms - 800;
      ev.request_id = "req-" + std::to_string(seq);
      ev.device_id = device;
      ev.user = "alice@example.com";
      ev.virtual_key_id = "vk_alice";
      ev.team = "platform";
      ev.agent = "claude-code";
      ev.agent_session_id = "8d0c7a5e-2b6f-4d1e-9a77-3f1f0e2c9b10";
      ev.provider = "anthropic";
      ev.model = "claude-sonnet-4-5";
      ev.endpoint = "POST /v1/messages";
      ev.streamed = true;
      ev.http_status = 200;
      ev.decision = audit::Decision::allowed;
      ev.usage = audit::Usage{1200, 340, 1000, 50, 12};
      ev.cost_nano_usd = 4560000;
      ev.latency = audit::Latency{812000, 95000, 790000};
      ev.bytes_in = 5321;
      ev.bytes_out = 2210;
      ev.policy_version = "p-7";
      ev.gw_version = "0.1.0";
      line = audit::serialize_event(ev);
    }
    prev = audit::record_hash(line);
    return line;
  }
  std::vector<std::string> batch(size_t n) {
    std::vector<std::string> out;
    for (size_t i = 0; i < n; ++i) out.push_back(next());
    return out;
  }
};

fs::path fresh_dir() {
  fs::path d = fs::temp_directory_path() / ("gw-ingest-bench-" + std::to_string(std::random_device{}()));
  fs::create_directories(d);
  return d;
}

void BM_IngestStore(benchmark::State& state) {
  fs::path dir = fresh_dir();
  auto store = std::move(*storage::SqliteAuditStore::open(dir / "central.db"));
  SystemClock clock;
  Chain chain;
  size_t n = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    server::IngestBatch b{chain.device, to_hex(chain.key.public_raw()), "bench", chain.batch(n)};
    state.ResumeTiming();
    auto r = server::ingest_batch(*store, b, clock);
    if (!r || r->stored != n) state.SkipWithError("ingest failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  store.reset();
  fs::remove_all(dir);
}
BENCHMARK(BM_IngestStore)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_IngestHttp(benchmark::State& state) {
  fs::path dir = fresh_dir();
  SystemClock clock;
  server::ServerConfig cfg;
  cfg.port = 0;
  cfg.storage_path = dir / "central.db";
  cfg.enrollment_tokens.push_back({"bench", "sha256:" + sha256_hex("bench-token")});
  auto stores = std::move(*storage::open_stores(cfg.store_config()));
  server::CentralServer srv(cfg, stores, clock);
  int port = *srv.start();
  auto transport = std::move(*audit::make_http_transport(
      {.url = "http://127.0.0.1:" + std::to_string(port), .token = "bench-token"}));
  Chain chain;
  size_t n = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    auto lines = chain.batch(n);
    state.ResumeTiming();
    std::string body = audit::Forwarder::batch_body(chain.device, chain.key, lines);
    std::string sig = "ed25519=" + to_hex(*chain.key.sign(body));
    auto r = transport->send(body, sig);
    if (!r || r->acked_seq != chain.seq) state.SkipWithError(r ? "short ack" : r.error().message.c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  srv.stop();
  stores = {};
  fs::remove_all(dir);
}
BENCHMARK(BM_IngestHttp)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
BENCHMARK_MAIN();
