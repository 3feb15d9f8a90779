// Added latency of the central provider proxy (docs/benchmarks.md, "Provider proxy").
//   BM_Direct/stream            a keep-alive client straight to the fake provider (plain HTTP):
//                               the floor.
//   BM_Proxy/tls/stream         the same request through an in-process ProxyServer (the code
//                               `gw serve` runs for [proxy]): virtual-key auth, model access,
//                               limits, guardrails (built-in rules, alert), durable audit admission
//                               (fsync, group commit) and the in-process shipper into a SQLite
//                               central store; the client keeps one TLS (or plain) connection.
// stream = 0: a JSON reply; 1: an SSE stream (the whole stream is read). audit = 0: policy turns
// audit off (no fsync on the request path), to separate the disk's share. One client thread: the
// time per iteration is one request's latency; the added latency is BM_Proxy minus BM_Direct.
#include <benchmark/benchmark.h>
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>

#include <fstream>

#include "core/common/clock.hpp"
#include "core/config/policy.hpp"
#include "core/storage/sqlite_audit_store.hpp"
#include "server/proxy_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {
using namespace gw;

constexpr const char* k_virtual_key = "gwk-bench-0123456789abcdef0123456789";
constexpr const char* k_real_key = "sk-ant-api03-bench-real-key";

std::string body(bool stream) {
  return std::string(R"({"model":"claude-haiku-4-5","max_tokens":100,"stream":)") + (stream ? "true" : "false") +
         R"(,"messages":[{"role":"user","content":"say pong, and here is some context the guardrails scan: )" +
         std::string(2000, 'x') + R"("}]})";
}

struct World {
  test::TempDir dir{"gw-proxy-bench"};
  std::unique_ptr<test::FakeProvider> fake;
  std::unique_ptr<storage::SqliteAuditStore> store;
  SystemClock clock;
  server::ServerConfig config[4];  // index tls * 2 + audit
  std::unique_ptr<server::ProxyServer> proxy[4];

  World() {
    ::signal(SIGPIPE, SIG_IGN);
    ::setenv("ANTHROPIC_API_KEY", k_real_key, 1);
    fake = std::make_unique<test::FakeProvider>(test::FakeProviderOptions{.expect_keys = {std::string("anthropic=") + k_real_key}});
    auto tls = test::make_self_signed_cert(dir.path());
    store = std::move(*storage::SqliteAuditStore::open(dir.path() / "central.db"));
    std::string policy_text = "version = \"bench\"\n[providers.anthropic]\nbase_url = \"" + fake->base_url() +
                              "\"\ncredential = { env = \"ANTHROPIC_API_KEY\" }\n[keys.bench]\nowner = \"b@example.com\"\n"
                              "secret_hash = \"" + config::hash_key_secret(k_virtual_key) +
                              "\"\nproviders = [\"anthropic\"]\nmodels = [\"*\"]\n[guardrails]\n[audit]\nenabled = ";
    for (int i = 0; i < 4; ++i) {
      int t = i / 2, audit = i % 2;
      auto policy = config::parse_policy(policy_text + (audit ? "true\n" : "false\n"), "bench.toml");
      if (!policy) throw std::runtime_error(policy.error().message);
      auto& c = config[i];
      c.storage_path = dir.path() / ("central" + std::to_string(i) + ".db");
      c.proxy.enabled = true;
      c.proxy.host = "127.0.0.1";
      c.proxy.port = 0;
      c.proxy.device_id = "central-bench-" + std::to_string(i);
      if (t == 1) {
        c.tls_cert = tls.cert;
        c.tls_key = tls.key;
      }
      proxy[i] = std::make_unique<server::ProxyServer>(c, *store, clock);
      if (auto st = proxy[i]->open(*policy, "bench"); !st) throw std::runtime_error(st.error().message);
      if (auto p = proxy[i]->start(); !p) throw std::runtime_error(p.error().message);
    }
  }
};

World& world() {
  static World w;
  return w;
}

void run(benchmark::State& state, httplib::Client& cli, const std::string& path, const httplib::Headers& headers) {
  bool stream = state.range(0) != 0;
  std::string b = body(stream);
  for (auto _ : state) {
    auto r = cli.Post(path, headers, b, "application/json");
    if (!r || r->status != 200) {
      state.SkipWithError(r ? ("status " + std::to_string(r->status) + ": " + r->body).c_str() : "request failed");
      return;
    }
    benchmark::DoNotOptimize(r->body.size());
  }
}

void BM_Direct(benchmark::State& state) {
  auto cli = test::make_client(world().fake->base_url());
  cli.set_keep_alive(true);
  cli.set_tcp_nodelay(true);  // httplib writes head and body separately: no delayed-ACK wait
  run(state, cli, "/v1/messages", {{"x-api-key", k_real_key}, {"anthropic-version", "2023-06-01"}});
}

void BM_Proxy(benchmark::State& state) {
  int tls = static_cast<int>(state.range(0)), audit = static_cast<int>(state.range(2));
  auto& w = world();
  std::string url = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(w.proxy[tls * 2 + audit]->port());
  auto cli = test::make_client(url);
  cli.set_keep_alive(true);
  cli.set_tcp_nodelay(true);  // httplib writes head and body separately: no delayed-ACK wait
  // range(0) is tls here; the stream flag is range(1).
  bool stream = state.range(1) != 0;
  std::string b = body(stream);
  httplib::Headers h = {{"x-api-key", k_virtual_key}, {"anthropic-version", "2023-06-01"}};
  for (auto _ : state) {
    auto r = cli.Post("/anthropic/v1/messages", h, b, "application/json");
    if (!r || r->status != 200) {
      state.SkipWithError(r ? ("status " + std::to_string(r->status) + ": " + r->body).c_str() : "request failed");
      return;
    }
    benchmark::DoNotOptimize(r->body.size());
  }
}

}  // namespace

BENCHMARK(BM_Direct)->ArgName("stream")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_Proxy)->ArgNames({"tls", "stream", "audit"})->ArgsProduct({{0, 1}, {0, 1}, {0, 1}})->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_MAIN();
