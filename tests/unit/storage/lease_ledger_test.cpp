// The lease ledger's rules on SQLite (the same bodies run on PostgreSQL: lease_ledger_contract.hpp).
#include <doctest/doctest.h>

#include "core/storage/sqlite_lease_ledger.hpp"
#include "tests/support/lease_ledger_contract.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw::test::lease_contract;

namespace {
struct Fixture {
  gw::test::TempDir dir{"gw-leases"};
  std::unique_ptr<gw::storage::SqliteLeaseLedger> ledger;
  Fixture() {
    auto l = gw::storage::SqliteLeaseLedger::open(dir.path() / "central.db");
    REQUIRE_MESSAGE(l.has_value(), (l ? "" : l.error().message));
    ledger = std::move(*l);
  }
};
}  // namespace

TEST_CASE("LeaseLedger: grants never take a budget beyond its limit") { grants_never_exceed_the_limit(*Fixture().ledger); }
TEST_CASE("LeaseLedger: spend reports are running totals; a stale one changes nothing") {
  spend_reports_are_cumulative(*Fixture().ledger);
}
TEST_CASE("LeaseLedger: an expired lease releases its remainder and keeps its spend") {
  expiry_releases_the_remainder(*Fixture().ledger);
}
TEST_CASE("LeaseLedger: a release gives the remainder back") { release_returns_the_remainder(*Fixture().ledger); }
TEST_CASE("LeaseLedger: a retried request gets the same answer") { retries_are_idempotent(*Fixture().ledger); }
TEST_CASE("LeaseLedger: a renew in a new window settles the old lease and starts a new one") {
  a_new_window_starts_a_new_lease(*Fixture().ledger);
}
TEST_CASE("LeaseLedger: a lease the store lost is recreated with its spend") {
  an_unknown_lease_keeps_its_spend(*Fixture().ledger);
}
TEST_CASE("LeaseLedger: 8 devices racing on one budget never overspend it") {
  concurrent_devices_never_overspend(*Fixture().ledger);
}
TEST_CASE("LeaseLedger: leases and spend survive reopening the store") {
  gw::test::TempDir dir{"gw-leases"};
  using K = gw::storage::LeaseOp::Kind;
  gw::storage::LeaseAnswer a;
  {
    auto l = gw::storage::SqliteLeaseLedger::open(dir.path() / "central.db");
    REQUIRE(l);
    a = must(apply_lease_op(**l, op(K::acquire, "team:p", "dev-a", "r1")));
    must(apply_lease_op(**l, renew(a, "team:p", "dev-a", "r2", 7)));
  }
  auto l = gw::storage::SqliteLeaseLedger::open(dir.path() / "central.db");
  REQUIRE(l);
  auto b = must(apply_lease_op(**l, op(K::acquire, "team:p", "dev-b", "r1")));
  CHECK(b.settled_nano == 7);
  CHECK(b.outstanding_nano == 30 + 30);
}
