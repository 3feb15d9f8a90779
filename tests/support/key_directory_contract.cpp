#include "tests/support/key_directory_contract.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/common/crypto.hpp"

namespace gw::test {
using storage::KeyRecord;
using storage::TeamRecord;

KeyRecord sample_key(const std::string& id, const std::string& team, const std::string& secret) {
  KeyRecord r;
  r.key.id = id;
  r.key.team = team;
  r.key.owner = id + "@example.com";
  r.key.secret_hash = "sha256:" + sha256_hex(secret.empty() ? "gwk_secret_of_" + id : secret);
  r.key.access.providers = {"anthropic"};
  r.key.access.models = {"claude-*"};
  r.key.access.deny_models = {"claude-opus-*"};
  r.key.budgets = {{"daily", 20'000'000'000, config::Period::day, config::Window::calendar},
                   {"weekly", 80'500'000'001, config::Period::week, config::Window::rolling}};
  r.key.limits = {120, 2'000'000, 8};
  r.key.expires_at_ms = 1'800'000'000'000;
  r.created_at_ms = r.updated_at_ms = 1'700'000'000'000;
  return r;
}

namespace {

TeamRecord sample_team(const std::string& id) {
  TeamRecord t;
  t.id = id;
  t.description = "the " + id + " team";
  t.budgets = {{"monthly", 900'000'000'000, config::Period::month, config::Window::calendar}};
  t.limits = {0, 4'000'000, 40};
  t.created_at_ms = t.updated_at_ms = 1'700'000'000'000;
  return t;
}

void check_same_policy_fields(const KeyRecord& a, const KeyRecord& b) {
  CHECK(a.key.id == b.key.id);
  CHECK(a.key.owner == b.key.owner);
  CHECK(a.key.team == b.key.team);
  CHECK(a.key.enabled == b.key.enabled);
  CHECK(a.key.expires_at_ms == b.key.expires_at_ms);
  CHECK(a.key.access.providers == b.key.access.providers);
  CHECK(a.key.access.models == b.key.access.models);
  CHECK(a.key.access.deny_models == b.key.access.deny_models);
  REQUIRE(a.key.budgets.size() == b.key.budgets.size());
  for (size_t i = 0; i < a.key.budgets.size(); ++i) {
    CHECK(a.key.budgets[i].name == b.key.budgets[i].name);
    CHECK(a.key.budgets[i].amount_nano_usd == b.key.budgets[i].amount_nano_usd);
    CHECK(a.key.budgets[i].period == b.key.budgets[i].period);
    CHECK(a.key.budgets[i].window == b.key.budgets[i].window);
  }
  CHECK(a.key.limits.requests_per_minute == b.key.limits.requests_per_minute);
  CHECK(a.key.limits.tokens_per_minute == b.key.limits.tokens_per_minute);
  CHECK(a.key.limits.concurrent == b.key.limits.concurrent);
}

}  // namespace

void key_directory_contract(const KeyDirectoryFactory& fresh) {
  std::unique_ptr<storage::KeyDirectory> dir = fresh();
  REQUIRE(dir);
  auto& d = *dir;
  REQUIRE(*d.revision() == 0);

  SUBCASE("a created key reads back with every field and a new revision") {
    REQUIRE(d.create_team(sample_team("platform")));
    auto created = d.create_key(sample_key("alice", "platform"));
    REQUIRE(created);
    CHECK(created->revision == 2);
    CHECK(*d.revision() == 2);
    auto got = d.get_key("alice");
    REQUIRE(got);
    REQUIRE(got->has_value());
    check_same_policy_fields(**got, sample_key("alice", "platform"));
    CHECK((*got)->key.secret_hash == sample_key("alice").key.secret_hash);
    CHECK((*got)->created_at_ms == 1'700'000'000'000);
    CHECK(!(*got)->revoked());
    CHECK((*got)->revision == 2);
    CHECK(!d.get_key("nobody")->has_value());
  }

  SUBCASE("ids and secret hashes are unique; a key's team must exist") {
    REQUIRE(d.create_key(sample_key("alice")));
    auto dup = d.create_key(sample_key("alice", "", "other secret"));
    REQUIRE(!dup);
    CHECK(dup.error().code == Errc::denied);
    auto same_secret = d.create_key(sample_key("bob", "", "gwk_secret_of_alice"));
    REQUIRE(!same_secret);
    CHECK(same_secret.error().code == Errc::denied);
    auto no_team = d.create_key(sample_key("carol", "ghosts"));
    REQUIRE(!no_team);
    CHECK(no_team.error().code == Errc::invalid_argument);
    CHECK(no_team.error().message.find("ghosts") != std::string::npos);
    CHECK(*d.revision() == 1);  // refused writes change nothing
    CHECK(d.list_keys({})->size() == 1);
  }

  SUBCASE("a key is found by the hash of its current secret only") {
    REQUIRE(d.create_key(sample_key("alice")));
    auto found = d.find_by_secret_hash(sample_key("alice").key.secret_hash);
    REQUIRE(found);
    REQUIRE(found->has_value());
    CHECK((*found)->key.id == "alice");
    std::string new_hash = "sha256:" + sha256_hex("gwk_rotated");
    auto rotated = d.rotate_key("alice", new_hash, 1'700'000'100'000);
    REQUIRE(rotated);
    CHECK(rotated->rotated_at_ms == 1'700'000'100'000);
    CHECK(!d.find_by_secret_hash(sample_key("alice").key.secret_hash)->has_value());
    CHECK((*d.find_by_secret_hash(new_hash))->key.id == "alice");
    CHECK(d.rotate_key("nobody", "sha256:" + sha256_hex("x"), 1).error().code == Errc::not_found);
  }

  SUBCASE("updates replace the policy fields, keep the secret, and honour if_revision") {
    auto created = *d.create_key(sample_key("alice"));
    KeyRecord change = sample_key("alice", "", "ignored secret");
    change.key.owner = "alice@corp.example";
    change.key.enabled = false;
    change.key.budgets.clear();
    change.key.expires_at_ms.reset();
    change.updated_at_ms = 1'700'000'200'000;
    auto stale = d.update_key(change, created.revision + 5);
    REQUIRE(!stale);
    CHECK(stale.error().code == Errc::denied);
    auto updated = d.update_key(change, created.revision);
    REQUIRE(updated);
    CHECK(updated->revision == created.revision + 1);
    auto got = **d.get_key("alice");
    check_same_policy_fields(got, change);
    CHECK(got.key.secret_hash == created.key.secret_hash);
    CHECK(got.created_at_ms == created.created_at_ms);
    CHECK(got.updated_at_ms == 1'700'000'200'000);
    CHECK(d.update_key(sample_key("nobody"), std::nullopt).error().code == Errc::not_found);
  }

  SUBCASE("revocation is recorded once, kept, and freezes the key") {
    REQUIRE(d.create_key(sample_key("alice")));
    auto revoked = d.revoke_key("alice", "ops", "laptop stolen", 1'700'000'300'000);
    REQUIRE(revoked);
    CHECK(revoked->revoked());
    CHECK(revoked->revoked_by == "ops");
    CHECK(revoked->revoke_reason == "laptop stolen");
    auto again = d.revoke_key("alice", "someone else", "again", 1'700'000'400'000);
    REQUIRE(again);
    CHECK(again->revision == revoked->revision);
    CHECK(*again->revoked_at_ms == 1'700'000'300'000);
    CHECK(again->revoked_by == "ops");
    CHECK(d.update_key(sample_key("alice"), std::nullopt).error().code == Errc::denied);
    CHECK(d.rotate_key("alice", "sha256:" + sha256_hex("n"), 1).error().code == Errc::denied);
    CHECK((*d.find_by_secret_hash(sample_key("alice").key.secret_hash))->revoked());
    CHECK(d.list_keys({})->size() == 1);
    CHECK(d.list_keys({.include_revoked = false})->empty());
    CHECK(d.revoke_key("nobody", "ops", "", 1).error().code == Errc::not_found);
  }

  SUBCASE("list filters by team and orders by id") {
    REQUIRE(d.create_team(sample_team("platform")));
    REQUIRE(d.create_key(sample_key("zed", "platform")));
    REQUIRE(d.create_key(sample_key("amy", "platform")));
    REQUIRE(d.create_key(sample_key("solo")));
    auto all = *d.list_keys({});
    REQUIRE(all.size() == 3);
    CHECK(all[0].key.id == "amy");
    CHECK(all[2].key.id == "zed");
    auto team = *d.list_keys({.team = "platform"});
    REQUIRE(team.size() == 2);
    CHECK(team[0].key.id == "amy");
  }

  SUBCASE("teams: create, read, update, and delete only when no key names them") {
    auto created = d.create_team(sample_team("platform"));
    REQUIRE(created);
    CHECK(d.create_team(sample_team("platform")).error().code == Errc::denied);
    auto got = **d.get_team("platform");
    CHECK(got.description == "the platform team");
    REQUIRE(got.budgets.size() == 1);
    CHECK(got.budgets[0].amount_nano_usd == 900'000'000'000);
    CHECK(got.budgets[0].period == config::Period::month);
    CHECK(got.limits.concurrent == 40);
    TeamRecord change = got;
    change.description = "renamed";
    change.limits.concurrent = 10;
    CHECK(d.update_team(change, created->revision + 3).error().code == Errc::denied);
    auto updated = d.update_team(change, created->revision);
    REQUIRE(updated);
    CHECK((*d.get_team("platform"))->limits.concurrent == 10);
    CHECK(d.update_team(sample_team("ghosts"), std::nullopt).error().code == Errc::not_found);
    REQUIRE(d.create_key(sample_key("alice", "platform")));
    REQUIRE(d.revoke_key("alice", "ops", "", 5));
    auto refused = d.delete_team("platform");
    REQUIRE(!refused);
    CHECK(refused.error().code == Errc::denied);
    REQUIRE(d.delete_key("alice"));
    REQUIRE(d.delete_team("platform"));
    CHECK(!d.get_team("platform")->has_value());
    CHECK(d.list_teams()->empty());
    CHECK(d.delete_team("platform").error().code == Errc::not_found);
  }

  SUBCASE("changes_since returns what changed, deletions included, up to the current revision") {
    REQUIRE(d.create_team(sample_team("platform")));   // 1
    REQUIRE(d.create_key(sample_key("alice", "platform")));  // 2
    REQUIRE(d.create_key(sample_key("bob")));           // 3
    uint64_t seen = *d.revision();
    CHECK(seen == 3);
    auto none = *d.changes_since(seen);
    CHECK(none.revision == 3);
    CHECK(none.keys.empty());
    REQUIRE(d.revoke_key("alice", "ops", "left", 10));  // 4
    REQUIRE(d.delete_key("bob"));                        // 5
    auto c = *d.changes_since(seen);
    CHECK(c.revision == 5);
    REQUIRE(c.keys.size() == 1);
    CHECK(c.keys[0].key.id == "alice");
    CHECK(c.keys[0].revoked());
    REQUIRE(c.deleted_keys.size() == 1);
    CHECK(c.deleted_keys[0] == "bob");
    CHECK(c.teams.empty());
    auto everything = *d.changes_since(0);
    CHECK(everything.teams.size() == 1);
    CHECK(everything.keys.size() == 1);
    // A deleted id may be created again; it is then a change, not a deletion.
    REQUIRE(d.create_key(sample_key("bob", "", "a new secret")));  // 6
    auto after = *d.changes_since(seen);
    CHECK(after.deleted_keys.empty());
    CHECK(after.keys.size() == 2);
  }

  SUBCASE("concurrent creates of one id: exactly one wins, revisions stay dense") {
    constexpr int k_threads = 8;
    std::atomic<int> wins{0}, conflicts{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < k_threads; ++i)
      threads.emplace_back([&, i] {
        auto r = d.create_key(sample_key("race", "", "secret " + std::to_string(i)));
        if (r) wins++;
        else if (r.error().code == Errc::denied) conflicts++;
      });
    for (auto& t : threads) t.join();
    CHECK(wins == 1);
    CHECK(conflicts == k_threads - 1);
    CHECK(*d.revision() == 1);
  }
}

}  // namespace gw::test
