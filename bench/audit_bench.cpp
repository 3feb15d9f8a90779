// Durable audit admission: latency of Spool::append_durable (enqueue + group commit + fdatasync)
// with 1 and 16 concurrent appenders, each followed by its request's `completed` record
// (Spool::append, not awaited, as the audit stage does), and spool bytes per event. Reported as
// counters:
//   p50_us, p99_us   per-append latency percentiles over the whole run
//   bytes_per_event  spool bytes / records written (checkpoints included)
// Runs on the machine's real disk under the system temp directory.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "core/audit/spool.hpp"
#include "core/common/clock.hpp"

namespace {
using namespace gw::audit;

class BenchKeys final : public DeviceKeyStore {
public:
  gw::Result<DeviceKey> load_or_create() override { return m_key; }
  gw::Result<DeviceKey> load_public() override { return DeviceKey::from_public(m_key.public_raw()); }

private:
  DeviceKey m_key = DeviceKey::generate();
};

AuditEvent admitted_event(int i) {
  AuditEvent ev;
  ev.kind = EventKind::admitted;
  ev.request_id = "req-" + std::to_string(i);
  ev.user = "alice@example.com";
  ev.virtual_key_id = "vk_alice";
  ev.team = "platform";
  ev.agent = "claude-code";
  ev.agent_session_id = "8d0c7a5e-2b6f-4d1e-9a77-3f1f0e2c9b10";
  ev.provider = "anthropic";
  ev.model = "claude-sonnet-4-5";
  ev.endpoint = "POST /v1/messages";
  ev.streamed = true;
  ev.decision = Decision::allowed;
  ev.policy_version = "sha256:4be1c0de";
  return ev;
}

double percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

void BM_DurableAppend(benchmark::State& state) {
  const int appenders = static_cast<int>(state.range(0));
  constexpr int k_per_thread = 50;
  char tmpl[] = "/tmp/gw-audit-bench-XXXXXX";
  if (!mkdtemp(tmpl)) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  std::filesystem::path dir(tmpl);
  BenchKeys keys;
  SpoolOptions opts;
  opts.dir = dir / "audit";
  auto spool = Spool::open(opts, keys);
  if (!spool) {
    state.SkipWithError(spool.error().message.c_str());
    return;
  }
  std::vector<int64_t> latencies;
  std::mutex mu;
  int64_t appended = 0;
  for (auto _ : state) {
    std::vector<std::thread> threads;
    for (int t = 0; t < appenders; ++t)
      threads.emplace_back([&, t] {
        std::vector<int64_t> mine;
        mine.reserve(k_per_thread);
        for (int i = 0; i < k_per_thread; ++i) {
          auto ev = admitted_event(t * k_per_thread + i);
          int64_t start = gw::mono_ns();
          auto r = (*spool)->append_durable(std::move(ev));
          mine.push_back(gw::mono_ns() - start);
          if (!r) std::abort();
          auto done = admitted_event(t * k_per_thread + i);
          done.kind = EventKind::completed;
          done.http_status = 200;
          (*spool)->append(std::move(done));
        }
        std::lock_guard lk(mu);
        latencies.insert(latencies.end(), mine.begin(), mine.end());
      });
    for (auto& th : threads) th.join();
    appended += appenders * k_per_thread;
  }
  (*spool)->close();
  appended *= 2;  // + the completed records
  const double records = static_cast<double>((*spool)->last_seq());
  state.counters["p50_us"] = percentile(latencies, 0.50);
  state.counters["p99_us"] = percentile(latencies, 0.99);
  state.counters["bytes_per_event"] = static_cast<double>((*spool)->bytes_on_disk()) / std::max(records, 1.0);
  state.counters["records_per_s"] =
      benchmark::Counter(static_cast<double>(appended), benchmark::Counter::kIsRate);
  spool->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_DurableAppend)->Arg(1)->Arg(16)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

// serialize_event alone: the direct writer against the nlohmann DOM it replaced (same bytes).
void BM_SerializeEvent(benchmark::State& state) {
  auto ev = admitted_event(7);
  ev.seq = 123456;
  ev.prev = std::string(64, 'a');
  ev.id = "0194bd2c-5a3b-7c1e-9f00-2d9e5b1c4a77";
  ev.time_ms = 1764000000000;
  ev.device_id = "dev-0123456789abcdef";
  ev.gw_version = "0.1.0";
  const bool dom = state.range(0) == 1;
  state.SetLabel(dom ? "nlohmann DOM" : "direct writer");
  for (auto _ : state) benchmark::DoNotOptimize(dom ? serialize_event_dom(ev) : serialize_event(ev));
}
BENCHMARK(BM_SerializeEvent)->Arg(0)->Arg(1);

BENCHMARK_MAIN();
