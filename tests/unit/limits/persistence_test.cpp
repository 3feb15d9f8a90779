#include <doctest/doctest.h>

#include <sqlite3.h>

#include "tests/support/temp_dir.hpp"
#include "tests/unit/limits/limits_fixture.hpp"

using namespace gw;
using gw::test::k_t0;
using gw::test::policy_from;
using gw::test::request_for;

namespace {
const char* k_policy = R"(
[prices.m]
input = 1.0
output = 1.0
[keys.alice]
providers = ["anthropic"]
models = ["*"]
budgets.daily = { usd = 5, period = "day" }
budgets.monthly = { usd = 50, period = "month" }
)";
config::Usage usd(int64_t dollars) {
  config::Usage u;
  u.input_tokens = dollars * 1'000'000;
  return u;
}
}  // namespace

TEST_CASE("Spend persistence: spend survives a restart") {
  test::TempDir dir;
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  {
    auto store = limits::SqliteSpendStore::open(dir.path() / "spend.db");
    REQUIRE(store.has_value());
    limits::Admission adm(clock, **store);
    adm.admit(request_for(*p, "alice", "m", 3'000'000, 0))->settle(usd(3));
  }
  auto store = limits::SqliteSpendStore::open(dir.path() / "spend.db");
  REQUIRE(store.has_value());
  limits::Admission adm(clock, **store);
  auto st = adm.budgets_of(*p, *p->find_key("alice"));
  CHECK(st[0].spent_nano == 3 * config::k_nano_per_usd);
  auto d = adm.admit(request_for(*p, "alice", "m", 3'000'000, 0));
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().spent_nano == 3 * config::k_nano_per_usd);
}

TEST_CASE("Spend persistence: a restart across a period boundary starts the new period at zero") {
  test::TempDir dir;
  auto p = policy_from(k_policy);
  FakeClock clock(k_t0);
  {
    auto store = limits::SqliteSpendStore::open(dir.path() / "spend.db");
    limits::Admission adm(clock, **store);
    adm.admit(request_for(*p, "alice", "m", 5'000'000, 0))->settle(usd(5));
  }
  clock.set(1795564800000 + 60000);  // 2026-11-25T00:01Z: a new day, the same month
  auto store = limits::SqliteSpendStore::open(dir.path() / "spend.db");
  limits::Admission adm(clock, **store);
  auto st = adm.budgets_of(*p, *p->find_key("alice"));
  CHECK(st[0].spent_nano == 0);
  CHECK(st[1].spent_nano == 5 * config::k_nano_per_usd);
  CHECK(adm.admit(request_for(*p, "alice", "m", 5'000'000, 0)).has_value());
}

TEST_CASE("Spend persistence: the database is in WAL mode") {
  test::TempDir dir;
  auto store = limits::SqliteSpendStore::open(dir.path() / "spend.db");
  REQUIRE(store.has_value());
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir.path() / "spend.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
}
