#include <doctest/doctest.h>

#include "core/limits/usage_log.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw;

TEST_CASE("UsageLog: records requests and sums them by model and by UTC day") {
  test::TempDir dir;
  auto log = limits::UsageLog::open(dir.path() / "spend.db");
  REQUIRE(log.has_value());
  auto row = [](int64_t ts, const char* model, int64_t in, int64_t cost) {
    limits::UsageRow r;
    r.ts_ms = ts;
    r.key = "alice";
    r.provider = "anthropic";
    r.model = model;
    r.agent = "claude-code";
    r.usage.input_tokens = in;
    r.usage.output_tokens = 10;
    r.cost_nano_usd = cost;
    return r;
  };
  const int64_t day1 = 1795548855000;  // 2026-11-24T19:34:15Z
  REQUIRE((*log)->record(row(day1, "claude-sonnet-4-5", 100, 5'000)).has_value());
  REQUIRE((*log)->record(row(day1 + 1000, "claude-haiku-4-5", 50, 1'000)).has_value());
  REQUIRE((*log)->record(row(day1 + 86'400'000, "claude-sonnet-4-5", 200, 7'000)).has_value());
  auto by_model = (*log)->summarize(limits::UsageGroup::model, 0);
  REQUIRE(by_model.has_value());
  REQUIRE(by_model->size() == 2);
  CHECK((*by_model)[0].group == "claude-sonnet-4-5");
  CHECK((*by_model)[0].requests == 2);
  CHECK((*by_model)[0].usage.input_tokens == 300);
  CHECK((*by_model)[0].cost_nano_usd == 12'000);
  auto by_day = (*log)->summarize(limits::UsageGroup::day, 0);
  REQUIRE(by_day->size() == 2);
  CHECK((*by_day)[0].group == "2026-11-25");
  CHECK((*by_day)[1].group == "2026-11-24");
  CHECK((*by_day)[1].requests == 2);
  auto since = (*log)->summarize(limits::UsageGroup::agent, day1 + 86'400'000);
  REQUIRE(since->size() == 1);
  CHECK((*since)[0].group == "claude-code");
  CHECK((*since)[0].requests == 1);
}
