// The lease ledger's contract (tests/support/lease_ledger_contract.hpp) on a real, private
// PostgreSQL, and the race again with two ledgers on one database standing for two replicas.
#include <doctest/doctest.h>

#include <atomic>

#include "core/storage/pg_lease_ledger.hpp"
#include "tests/support/lease_ledger_contract.hpp"
#include "tests/support/postgres.hpp"

using namespace gw;
using namespace gw::test::lease_contract;

namespace {

std::unique_ptr<storage::PgLeaseLedger> open_ledger(const std::string& url) {
  auto pool = storage::pg::Pool::open(url, 8);
  REQUIRE_MESSAGE(pool, (pool ? "" : pool.error().message));
  auto l = storage::PgLeaseLedger::open(std::shared_ptr<storage::pg::Pool>(std::move(*pool)));
  REQUIRE_MESSAGE(l, (l ? "" : l.error().message));
  return std::move(*l);
}

// Two replicas behind a load balancer: each transaction goes to the next ledger in turn.
class RoundRobin final : public storage::LeaseLedger {
public:
  RoundRobin(storage::LeaseLedger& a, storage::LeaseLedger& b) : m_a(a), m_b(b) {}
  Status transact(const storage::BudgetRef& ref, const std::function<Status(storage::LeaseTxn&)>& fn) override {
    return (m_next++ % 2 ? m_b : m_a).transact(ref, fn);
  }
  Result<std::vector<storage::BudgetView>> current(int64_t now_ms) override {
    return (m_next++ % 2 ? m_b : m_a).current(now_ms);
  }
  Status forget_answers(int64_t before_ms) override { return m_a.forget_answers(before_ms); }

private:
  storage::LeaseLedger &m_a, &m_b;
  std::atomic<uint64_t> m_next{0};
};

}  // namespace

#define PG_LEDGER(var)        \
  GW_REQUIRE_POSTGRES(pg);    \
  auto var = open_ledger(pg->fresh_database())

TEST_CASE("PgLeaseLedger: grants never take a budget beyond its limit") {
  PG_LEDGER(l);
  grants_never_exceed_the_limit(*l);
}
TEST_CASE("PgLeaseLedger: spend reports are running totals; a stale one changes nothing") {
  PG_LEDGER(l);
  spend_reports_are_cumulative(*l);
}
TEST_CASE("PgLeaseLedger: an expired lease releases its remainder and keeps its spend") {
  PG_LEDGER(l);
  expiry_releases_the_remainder(*l);
}
TEST_CASE("PgLeaseLedger: a release gives the remainder back") {
  PG_LEDGER(l);
  release_returns_the_remainder(*l);
}
TEST_CASE("PgLeaseLedger: a retried request gets the same answer") {
  PG_LEDGER(l);
  retries_are_idempotent(*l);
}
TEST_CASE("PgLeaseLedger: a renew in a new window settles the old lease and starts a new one") {
  PG_LEDGER(l);
  a_new_window_starts_a_new_lease(*l);
}
TEST_CASE("PgLeaseLedger: a lease the store lost is recreated with its spend") {
  PG_LEDGER(l);
  an_unknown_lease_keeps_its_spend(*l);
}
TEST_CASE("PgLeaseLedger: 8 devices racing on one budget never overspend it") {
  PG_LEDGER(l);
  concurrent_devices_never_overspend(*l);
}
TEST_CASE("PgLeaseLedger: 8 devices racing through two replicas (alternating) never overspend one budget") {
  GW_REQUIRE_POSTGRES(pg);
  std::string url = pg->fresh_database();
  auto a = open_ledger(url);
  auto b = open_ledger(url);
  RoundRobin both(*a, *b);
  concurrent_devices_never_overspend(both);
}
TEST_CASE("PgLeaseLedger: leases and spend survive reopening, and another replica sees them") {
  GW_REQUIRE_POSTGRES(pg);
  std::string url = pg->fresh_database();
  using K = storage::LeaseOp::Kind;
  {
    auto l = open_ledger(url);
    auto a = must(apply_lease_op(*l, op(K::acquire, "team:p", "dev-a", "r1")));
    must(apply_lease_op(*l, renew(a, "team:p", "dev-a", "r2", 7)));
  }
  auto l = open_ledger(url);
  auto b = must(apply_lease_op(*l, op(K::acquire, "team:p", "dev-b", "r1")));
  CHECK(b.settled_nano == 7);
  CHECK(b.outstanding_nano == 30 + 30);
}
