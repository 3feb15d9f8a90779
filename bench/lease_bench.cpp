// Budget leases as a sidecar sees them (ADR 0046).
//   BM_LeaseRoundTrip     one renew by the sidecar's LeaseClient over loopback HTTP to LeaseApi on
//                         an httplib server, SQLite ledger (synchronous=FULL) in a temp dir: what
//                         a request that needs a top-up waits for, and what the renewer spends.
//   BM_AdmitCentralBudget admission of a request against a team budget that is central, the lease
//                         balance covering it (the request path: no network), then settle.
//   BM_AdmitLocalBudget   the same with the budget local, for comparison.
#include <benchmark/benchmark.h>

#include <httplib.h>

#include <filesystem>
#include <thread>

#include "agent/lease_client.hpp"
#include "core/config/policy.hpp"
#include "core/limits/admission.hpp"
#include "core/limits/spend_store.hpp"
#include "core/storage/sqlite_lease_ledger.hpp"
#include "server/lease_api.hpp"

namespace {
namespace fs = std::filesystem;
using namespace gw;

constexpr const char* k_policy = R"(
version = "bench"
[teams.platform]
budgets.daily = { usd = 1000000, period = "day" }
[keys.alice]
team = "platform"
providers = ["anthropic"]
models = ["claude-sonnet-4-5"]
)";

std::shared_ptr<const config::Policy> policy(bool central) {
  auto p = config::parse_policy(k_policy, "bench.toml");
  if (!p) std::abort();
  auto copy = std::make_shared<config::Policy>(**p);
  if (central) copy->validity = config::Policy::Validity{4'000'000'000, false, "bundle v1 (bench)"};
  return copy;
}

// A central gateway's lease route on loopback with its own SQLite ledger.
struct Central {
  fs::path dir = fs::temp_directory_path() / ("gw-lease-bench-" + std::to_string(::getpid()));
  server::ServerConfig config;
  SystemClock clock;
  std::unique_ptr<storage::SqliteLeaseLedger> ledger;
  std::shared_ptr<const config::Policy> pol = policy(true);
  std::unique_ptr<server::LeaseApi> api;
  std::unique_ptr<server::DeviceAuth> auth;
  httplib::Server http;
  std::thread thread;
  int port = 0;
  Central() {
    fs::create_directories(dir);
    ledger = std::move(*storage::SqliteLeaseLedger::open(dir / "central.db"));
    config.enrollment_tokens.push_back({"bench", config::hash_key_secret("bench-token")});
    api = std::make_unique<server::LeaseApi>(config, *ledger, clock, [this] { return pol; });
    auth = std::make_unique<server::DeviceAuth>(config.enrollment_tokens, nullptr, clock);
    api->add_routes(http, *auth);
    http.set_tcp_nodelay(true);
    port = http.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { http.listen_after_bind(); });
  }
  ~Central() {
    http.stop();
    thread.join();
    ledger.reset();
    fs::remove_all(dir);
  }
};

void BM_LeaseRoundTrip(benchmark::State& state) {
  Central central;
  SystemClock clock;
  agent::LeaseClientOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(central.port);
  o.token = "bench-token";
  o.device_id = "dev-bench";
  agent::LeaseClient client(o, clock);
  auto p = policy(true);
  limits::CentralBudgetRef ref{"team:platform", "daily", p->teams.at("platform").budgets[0]};
  if (!client.reserve(ref, 1000)) return state.SkipWithError("acquire failed");
  client.settle(ref, 1000, 1000);
  for (auto _ : state) {
    client.settle(ref, 0, 1);  // some spend to report
    if (client.sync_now() != 1) return state.SkipWithError("renew failed");
  }
  client.stop();
}
BENCHMARK(BM_LeaseRoundTrip)->Unit(benchmark::kMicrosecond)->UseRealTime();

void admit_loop(benchmark::State& state, bool central) {
  Central c;
  SystemClock clock;
  limits::MemorySpendStore store;
  limits::Admission adm(clock, store);
  agent::LeaseClientOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(c.port);
  o.token = "bench-token";
  o.device_id = "dev-bench";
  agent::LeaseClient client(o, clock);
  client.start();
  adm.set_central(&client);
  auto p = policy(central);
  limits::AdmissionRequest req;
  req.policy = p.get();
  req.key = p->find_key("alice");
  req.model = "claude-sonnet-4-5";
  req.input_tokens = 2000;
  req.max_output_tokens = 1000;
  config::Usage u;
  u.input_tokens = 2000;
  u.output_tokens = 200;
  for (auto _ : state) {
    auto r = adm.admit(req);
    if (!r) return state.SkipWithError(r.error().message().c_str());
    r->settle(u);
  }
  client.stop();
}

void BM_AdmitCentralBudget(benchmark::State& state) { admit_loop(state, true); }
void BM_AdmitLocalBudget(benchmark::State& state) { admit_loop(state, false); }
BENCHMARK(BM_AdmitCentralBudget)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_AdmitLocalBudget)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
