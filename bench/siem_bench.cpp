// SIEM export cost per event: encoding for each wire format, and the file sink end to end
// (write + fdatasync per batch of 500). Run: build/bench/siem_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <unistd.h>

#include "core/audit/event.hpp"
#include "core/siem/format.hpp"
#include "core/siem/sinks.hpp"

using namespace gw::siem;

namespace {

std::vector<FeedEvent> make_batch(size_t n) {
  std::vector<FeedEvent> out;
  for (size_t i = 1; i <= n; ++i) {
    gw::audit::AuditEvent ev;
    ev.seq = i;
    ev.prev = std::string(64, 'a');
    ev.id = "0194bd2c-5a3b-7c1e-9f00-2d9e5b1c4a77";
    ev.kind = gw::audit::EventKind::completed;
    ev.time_ms = 1738324800123;
    ev.request_id = "req-9f2";
    ev.device_id = "dev-595bd6fa6d301424";
    ev.user = "alice@example.com";
    ev.virtual_key_id = "vk_alice";
    ev.team = "platform";
    ev.agent = "claude-code";
    ev.agent_session_id = "8d0c7a5e-2b6f-4d1e-9a77-3f1f0e2c9b10";
    ev.provider = "anthropic";
    ev.model = "claude-sonnet-4-5";
    ev.endpoint = "POST /v1/messages";
    ev.http_status = 200;
    ev.decision = gw::audit::Decision::allowed;
    ev.usage = gw::audit::Usage{1200, 340, 1000, 50, 12};
    ev.cost_nano_usd = 4560000;
    ev.latency = gw::audit::Latency{812000, 95000, 790000};
    ev.gw_version = "0.1.0";
    out.push_back({i, gw::audit::serialize_event(ev)});
  }
  return out;
}

void BM_syslog_message(benchmark::State& state) {
  auto batch = make_batch(1);
  SyslogHeader h{.facility = 16, .hostname = "central-1", .app_name = "gw", .procid = "1"};
  for (auto _ : state) {
    auto r = parse_record(batch[0]);
    benchmark::DoNotOptimize(syslog_message(r, 1, r.dump(), h, 65536));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_syslog_message);

void BM_hec_body_500(benchmark::State& state) {
  auto batch = make_batch(500);
  SinkConfig cfg;
  cfg.format = static_cast<gw::audit::ExportFormat>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(hec_body(batch, cfg));
  state.SetItemsProcessed(state.iterations() * 500);
}
BENCHMARK(BM_hec_body_500)->Arg(0)->Arg(1)->Arg(2);  // jsonl, ocsf, ecs

void BM_otlp_request_500(benchmark::State& state) {
  auto batch = make_batch(500);
  for (auto _ : state) benchmark::DoNotOptimize(otlp_logs_request(batch, "0.1.0").dump());
  state.SetItemsProcessed(state.iterations() * 500);
}
BENCHMARK(BM_otlp_request_500);

void BM_file_sink_500_fsync(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() / ("gw-siem-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  SinkConfig cfg;
  cfg.destination = (dir / "audit.jsonl").string();
  cfg.rotate_bytes = 64 << 20;
  cfg.keep = 1;
  auto sink = make_file_sink(cfg);
  auto batch = make_batch(500);
  for (auto _ : state) benchmark::DoNotOptimize((*sink)->deliver(batch));
  state.SetItemsProcessed(state.iterations() * 500);
  sink->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_file_sink_500_fsync)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
