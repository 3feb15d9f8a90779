// The admission path over 10,000 virtual keys: auth lookup (hash the presented secret, find the
// key), model access check, and budget + rate-limit reservations at key, team and org level.
// Target: single-digit microseconds per request. Results go to docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "core/common/clock.hpp"
#include "core/config/policy.hpp"
#include "core/limits/admission.hpp"

namespace {

constexpr int k_keys = 10'000;

struct World {
  std::shared_ptr<gw::config::Policy> policy = std::make_shared<gw::config::Policy>();
  std::vector<std::string> secrets;
  World() {
    using namespace gw::config;
    policy->prices = PriceTable::defaults();
    policy->org_budgets = {{"monthly", 1'000'000 * k_nano_per_usd, Period::month, Window::calendar}};
    for (int t = 0; t < 100; ++t) {
      Team team;
      team.id = "team" + std::to_string(t);
      team.budgets = {{"monthly", 100'000 * k_nano_per_usd, Period::month, Window::calendar}};
      policy->teams[team.id] = team;
    }
    for (int i = 0; i < k_keys; ++i) {
      VirtualKey k;
      k.id = "key" + std::to_string(i);
      std::string secret = new_key_secret();
      k.secret_hash = hash_key_secret(secret);
      k.team = "team" + std::to_string(i % 100);
      k.access.providers = {"anthropic", "openai"};
      k.access.models = {"claude-*", "gpt-5*"};
      k.access.deny_models = {"claude-opus-*"};
      k.budgets = {{"daily", 1'000 * k_nano_per_usd, Period::day, Window::calendar},
                   {"weekly", 5'000 * k_nano_per_usd, Period::week, Window::rolling}};
      k.limits = {1'000'000, 1'000'000'000, 1000};
      policy->key_by_hash[k.secret_hash] = k.id;
      policy->keys[k.id] = std::move(k);
      secrets.push_back(std::move(secret));
    }
  }
};

World& world() {
  static World w;
  return w;
}

void BM_AuthLookup(benchmark::State& state) {
  auto& w = world();
  size_t i = 0;
  for (auto _ : state) {
    const auto* key = w.policy->find_by_secret(w.secrets[i++ % k_keys]);
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_AuthLookup);

void BM_AccessCheck(benchmark::State& state) {
  auto& w = world();
  const auto& access = w.policy->keys.begin()->second.access;
  for (auto _ : state) {
    bool ok = gw::config::model_allowed(access, "anthropic", "claude-sonnet-4-5-20250929");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_AccessCheck);

// The whole admission: lookup, access check, reservation at three levels, then release.
void BM_Admission(benchmark::State& state) {
  auto& w = world();
  gw::SystemClock clock;
  gw::limits::MemorySpendStore store;
  gw::limits::Admission admission(clock, store);
  size_t i = 0;
  for (auto _ : state) {
    const auto* key = w.policy->find_by_secret(w.secrets[i++ % k_keys]);
    if (!gw::config::model_allowed(key->access, "anthropic", "claude-sonnet-4-5")) std::abort();
    gw::limits::AdmissionRequest req;
    req.policy = w.policy.get();
    req.key = key;
    req.model = "claude-sonnet-4-5";
    req.input_tokens = 30'000;
    req.max_output_tokens = 32'000;
    auto r = admission.admit(req);
    if (!r) std::abort();
    r->release();
  }
}
BENCHMARK(BM_Admission);

}  // namespace

BENCHMARK_MAIN();
