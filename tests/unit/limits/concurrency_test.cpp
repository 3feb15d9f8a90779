#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.hpp"
#include "tests/unit/limits/limits_fixture.hpp"

using namespace gw;

TEST_CASE("Admission: 100 threads against a small budget never overspend it") {
  auto p = test::policy_from(R"(
[prices.m]
input = 1.0
output = 10.0
[teams.t]
budgets.daily = { usd = 3, period = "day" }
[keys.alice]
team = "t"
providers = ["anthropic"]
models = ["*"]
budgets.daily = { usd = 2, period = "day" }
)");
  test::TempDir dir;
  SystemClock clock;
  auto store = limits::SqliteSpendStore::open(dir.path() / "spend.db");
  REQUIRE(store.has_value());
  limits::Admission adm(clock, **store);
  // Each request reserves 10k in + 10k out = $0.11 and really costs between $0.02 and $0.11.
  std::atomic<int64_t> charged{0};
  std::atomic<int> admitted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 100; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto r = adm.admit(test::request_for(*p, "alice", "m", 10'000, 10'000));
        if (!r) {
          refused++;
          continue;
        }
        admitted++;
        config::Usage u;
        u.input_tokens = 10'000;
        u.output_tokens = 1'000 + (t * 37 + i * 11) % 9'001;
        charged += r->settle(u);
      }
    });
  }
  for (auto& th : threads) th.join();
  auto st = adm.budgets_of(*p, *p->find_key("alice"));
  CHECK(charged.load() <= 2 * config::k_nano_per_usd);
  CHECK(st[0].spent_nano == charged.load());
  CHECK(st[0].reserved_nano == 0);
  CHECK(st[1].spent_nano == charged.load());
  // The budget was used up: what is left cannot hold one more worst-case request.
  CHECK(2 * config::k_nano_per_usd - charged.load() < 110'000'000);
  CHECK(admitted.load() + refused.load() == 2000);
  CHECK(admitted.load() >= 18);
}
