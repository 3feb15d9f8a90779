#pragma once
// The lease ledger's contract as reusable test bodies: each takes a LeaseLedger& (SQLite in
// tests/unit/storage, PostgreSQL where a server is available) and checks the rules of
// core/storage/lease_rules.hpp through apply_lease_op. Each body uses its own scope, so one ledger
// may run them all.
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/storage/lease_ledger.hpp"
#include "core/storage/lease_rules.hpp"

namespace gw::test::lease_contract {

inline constexpr int64_t k_t0 = 1'800'000'000'000;  // a fixed "now"
inline constexpr int64_t k_window_end = k_t0 + 86'400'000;

inline storage::LeaseOp op(storage::LeaseOp::Kind kind, const std::string& scope, const std::string& device,
                           const std::string& request_id, int64_t limit = 100, int64_t slice = 30) {
  storage::LeaseOp o;
  o.kind = kind;
  o.request_id = request_id;
  o.device_id = device;
  o.ref = {scope, "daily", k_t0};
  o.window_end_ms = k_window_end;
  o.limit_nano = limit;
  o.slice_nano = slice;
  o.ttl_ms = 60'000;
  o.now_ms = k_t0;
  return o;
}

inline storage::LeaseOp renew(const storage::LeaseAnswer& lease, const std::string& scope, const std::string& device,
                              const std::string& request_id, int64_t spent, int64_t want = 0) {
  auto o = op(storage::LeaseOp::Kind::renew, scope, device, request_id);
  o.lease_id = lease.lease_id;
  o.lease_window_start_ms = lease.window_start_ms;
  o.spent_nano = spent;
  o.want_nano = want;
  return o;
}

inline storage::LeaseAnswer must(Result<storage::LeaseAnswer> r) {
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message));
  return *r;
}

// Grants stop at limit - settled - outstanding; what is left is granted to whoever asks for it.
inline void grants_never_exceed_the_limit(storage::LeaseLedger& l) {
  using K = storage::LeaseOp::Kind;
  auto a = must(apply_lease_op(l, op(K::acquire, "team:grant", "dev-a", "r1")));
  auto b = must(apply_lease_op(l, op(K::acquire, "team:grant", "dev-b", "r1")));
  auto c = must(apply_lease_op(l, op(K::acquire, "team:grant", "dev-c", "r1")));
  CHECK(a.grant_nano == 30);
  CHECK(b.grant_nano == 30);
  CHECK(c.grant_nano == 30);
  CHECK(c.outstanding_nano == 90);
  CHECK(c.remaining_nano == 10);
  auto want = op(K::acquire, "team:grant", "dev-d", "r1");
  want.want_nano = 20;
  auto d = must(apply_lease_op(l, want));
  CHECK(d.exhausted);
  CHECK(d.grant_nano == 0);
  CHECK(d.remaining_nano == 10);
  auto e = must(apply_lease_op(l, op(K::acquire, "team:grant", "dev-d", "r2")));
  CHECK_FALSE(e.exhausted);
  CHECK(e.grant_nano == 10);
  CHECK(e.remaining_nano == 0);
}

// Spend is a running total per lease: it moves settled spend up once; a stale report changes nothing.
inline void spend_reports_are_cumulative(storage::LeaseLedger& l) {
  using K = storage::LeaseOp::Kind;
  auto a = must(apply_lease_op(l, op(K::acquire, "key:spend", "dev-a", "r1")));
  auto r = must(apply_lease_op(l, renew(a, "key:spend", "dev-a", "r2", 25)));
  CHECK(r.settled_nano == 25);
  CHECK(r.spent_nano == 25);
  CHECK(r.granted_nano == 55);  // topped up to the slice: 5 left + 25
  CHECK(r.outstanding_nano == 30);
  auto stale = must(apply_lease_op(l, renew(a, "key:spend", "dev-a", "r3", 10)));
  CHECK(stale.settled_nano == 25);
  CHECK(stale.spent_nano == 25);
  CHECK(stale.granted_nano == 55);  // already a full slice: nothing more
  CHECK(stale.remaining_nano == 45);
}

// An expired lease stops holding its unspent remainder; its reported spend stays.
inline void expiry_releases_the_remainder(storage::LeaseLedger& l) {
  using K = storage::LeaseOp::Kind;
  auto first = op(K::acquire, "team:expiry", "dev-a", "r1");
  first.slice_nano = 80;
  auto a = must(apply_lease_op(l, first));
  CHECK(a.grant_nano == 80);
  auto report = renew(a, "team:expiry", "dev-a", "r2", 10);
  report.slice_nano = 0;
  a = must(apply_lease_op(l, report));
  CHECK(a.settled_nano == 10);
  auto late = op(K::acquire, "team:expiry", "dev-b", "r1");
  late.want_nano = 50;
  CHECK(must(apply_lease_op(l, late)).exhausted);  // 100 - 10 settled - 70 held by dev-a
  late.request_id = "r2";
  late.now_ms = a.expires_at_ms;  // dev-a went quiet: its 70 are released at expiry
  auto b = must(apply_lease_op(l, late));
  CHECK_FALSE(b.exhausted);
  CHECK(b.grant_nano == 50);
  CHECK(b.settled_nano == 10);
  // dev-a comes back after expiry having spent 20 in all: the 10 more are settled, its lease
  // restarts from its spend and gets what is left.
  auto back = renew(a, "team:expiry", "dev-a", "r3", 20);
  back.now_ms = a.expires_at_ms + 1;
  auto a2 = must(apply_lease_op(l, back));
  CHECK(a2.settled_nano == 20);
  CHECK(a2.granted_nano == 20 + 30);
  CHECK(a2.outstanding_nano == 50 + 30);
  CHECK(a2.remaining_nano == 0);
}

// A release gives the remainder back at once and keeps the spend.
inline void release_returns_the_remainder(storage::LeaseLedger& l) {
  using K = storage::LeaseOp::Kind;
  auto a = must(apply_lease_op(l, op(K::acquire, "org", "dev-a", "r1")));
  auto rel = renew(a, "org", "dev-a", "r2", 12);
  rel.kind = K::release;
  auto r = must(apply_lease_op(l, rel));
  CHECK(r.released);
  CHECK(r.settled_nano == 12);
  CHECK(r.outstanding_nano == 0);
  CHECK(r.remaining_nano == 88);
}

// A retried request (same device and request id) gets the first answer and changes nothing.
inline void retries_are_idempotent(storage::LeaseLedger& l) {
  using K = storage::LeaseOp::Kind;
  auto a1 = must(apply_lease_op(l, op(K::acquire, "team:retry", "dev-a", "same")));
  auto a2 = must(apply_lease_op(l, op(K::acquire, "team:retry", "dev-a", "same")));
  CHECK(a1.lease_id == a2.lease_id);
  CHECK(a2.grant_nano == 30);
  CHECK(a2.outstanding_nano == 30);
  auto r1 = must(apply_lease_op(l, renew(a1, "team:retry", "dev-a", "renew-1", 5, 0)));
  auto r2 = must(apply_lease_op(l, renew(a1, "team:retry", "dev-a", "renew-1", 5, 0)));
  CHECK(r1.granted_nano == r2.granted_nano);
  auto other = must(apply_lease_op(l, op(K::acquire, "team:retry", "dev-b", "x")));
  CHECK(other.outstanding_nano == r1.outstanding_nano + other.grant_nano);
}

// A renew of a lease from an earlier window settles it there and starts a lease in the new one.
inline void a_new_window_starts_a_new_lease(storage::LeaseLedger& l) {
  using K = storage::LeaseOp::Kind;
  auto a = must(apply_lease_op(l, op(K::acquire, "team:window", "dev-a", "r1")));
  auto next = renew(a, "team:window", "dev-a", "r2", 20);
  next.ref.window_start_ms = k_window_end;
  next.window_end_ms = k_window_end + 86'400'000;
  next.now_ms = k_window_end + 5;
  auto b = must(apply_lease_op(l, next));
  CHECK(b.lease_id != a.lease_id);
  CHECK(b.window_start_ms == k_window_end);
  CHECK(b.settled_nano == 0);
  CHECK(b.spent_nano == 0);
  CHECK(b.grant_nano == 30);
  auto views = l.current(k_t0);
  REQUIRE(views);
  bool seen = false;
  for (const auto& v : *views)
    if (v.row.ref.scope == "team:window" && v.row.ref.window_start_ms == k_t0) {
      seen = true;
      CHECK(v.row.settled_nano == 20);
      CHECK(v.leases.empty());
    }
  CHECK(seen);
}

// A lease the ledger does not know (restored store) is recreated with the spend reported.
inline void an_unknown_lease_keeps_its_spend(storage::LeaseLedger& l) {
  storage::LeaseAnswer ghost;
  ghost.lease_id = "lease-from-a-lost-store";
  ghost.window_start_ms = k_t0;
  auto r = must(apply_lease_op(l, renew(ghost, "key:ghost", "dev-a", "r1", 40)));
  CHECK(r.lease_id == ghost.lease_id);
  CHECK(r.settled_nano == 40);
  CHECK(r.granted_nano == 70);
  auto stolen = renew(ghost, "key:ghost", "dev-b", "r1", 90);
  CHECK_FALSE(apply_lease_op(l, stolen).has_value());  // another device's lease
}

// Threads on several devices acquire, spend within their lease and renew against one budget:
// the settled spend never exceeds the limit and no answer shows more committed than the limit.
inline void concurrent_devices_never_overspend(storage::LeaseLedger& l, int threads = 8, int rounds = 60) {
  using K = storage::LeaseOp::Kind;
  const int64_t limit = 10'000;
  std::atomic<int64_t> spent_total{0};
  std::atomic<int> violations{0}, errors{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      std::string dev = "dev-" + std::to_string(t);
      auto first = op(K::acquire, "team:race", dev, "acq", limit, 150);
      auto a = apply_lease_op(l, first);
      if (!a) return (void)errors.fetch_add(1);
      storage::LeaseAnswer lease = *a;
      int64_t spent = 0;
      for (int i = 0; i < rounds; ++i) {
        int64_t cost = 17 + (t * 7 + i) % 40;
        if (lease.granted_nano - spent >= cost) {
          spent += cost;  // spend only what the lease covers
          spent_total.fetch_add(cost);
        }
        auto r = renew(lease, "team:race", dev, "r" + std::to_string(i), spent, 0);
        r.limit_nano = limit;
        r.slice_nano = 150;
        auto next = apply_lease_op(l, r);
        if (!next) return (void)errors.fetch_add(1);
        if (next->settled_nano + next->outstanding_nano > limit) violations.fetch_add(1);
        lease = *next;
      }
    });
  for (auto& th : pool) th.join();
  CHECK(errors.load() == 0);
  CHECK(violations.load() == 0);
  CHECK(spent_total.load() <= limit);
  auto views = l.current(k_t0);
  REQUIRE(views);
  for (const auto& v : *views)
    if (v.row.ref.scope == "team:race") CHECK(v.row.settled_nano == spent_total.load());
}

}  // namespace gw::test::lease_contract
