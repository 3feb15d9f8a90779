#pragma once
// The central key directory: the organisation's virtual keys and teams, kept by `gw serve` and
// managed through the Admin API. Sidecars bound to a central key learn about changes (revocation,
// new limits) by asking for everything after the revision they last saw.
//
// Contract for every implementation (SQLite today, PostgreSQL for several replicas):
// - Every write is ONE transaction: it checks its preconditions (existence, uniqueness, the
//   caller's expected revision, team existence) and applies the change atomically, or changes
//   nothing and returns the error. Two concurrent writers never both succeed on a precondition
//   only one of them can meet (two creates of one id: one gets Errc::denied).
// - The directory has one revision counter, starting at 0. Each successful write that changes
//   something increments it by exactly one and stamps the changed record (or tombstone) with the
//   new value, inside the same transaction. Writers are serialized on the counter (SQLite: one
//   write transaction at a time; PostgreSQL: UPDATE ... of the counter row first, which locks it),
//   so revisions are dense, unique and in commit order: a reader that has seen revision R and
//   asks changes_since(R) never misses a change committed later.
// - Reads see committed state only. A read never blocks on or observes a write in progress.
// - Secrets are never stored: only "sha256:<64 lowercase hex>" of the secret (the secret itself,
//   "gwk_" + 64 hex characters, is shown once by the Admin API and then forgotten).
// Errors: Errc::not_found (no such key/team), Errc::denied (a conflict with the current state:
// exists already, revoked, revision mismatch, team still has keys; the Admin API answers 409),
// Errc::invalid_argument (the team named by a key does not exist), Errc::io (the database failed; nothing was changed).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.hpp"
#include "core/config/policy.hpp"

namespace gw::storage {

// A central virtual key: the fields of a policy key (config::VirtualKey, whose secret_hash is
// the hash of the current secret) plus its lifecycle.
struct KeyRecord {
  config::VirtualKey key;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;   // last create/update/rotate/revoke
  int64_t rotated_at_ms = 0;   // 0: never rotated
  std::optional<int64_t> revoked_at_ms;  // revoked keys are refused forever; they stay listed
  std::string revoked_by;      // the actor (admin token id) that revoked it
  std::string revoke_reason;   // free text given at revocation
  uint64_t revision = 0;       // the directory revision of this record's last change
  bool revoked() const { return revoked_at_ms.has_value(); }
};

struct TeamRecord {
  std::string id;
  std::string description;
  std::vector<config::Budget> budgets;
  config::RateLimits limits;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  uint64_t revision = 0;
};

// What changed after a revision: records as they are now (revoked keys included) and the ids
// deleted since, so a follower can mirror the directory without reading all of it.
struct DirectoryChanges {
  uint64_t revision = 0;  // the directory revision these changes bring the reader up to
  std::vector<KeyRecord> keys;
  std::vector<TeamRecord> teams;
  std::vector<std::string> deleted_keys;
  std::vector<std::string> deleted_teams;
};

struct KeyFilter {
  std::string team;             // empty: every team
  bool include_revoked = true;
};

class KeyDirectory {
public:
  virtual ~KeyDirectory() = default;

  // The current directory revision (0 for an empty, never-written directory).
  virtual Result<uint64_t> revision() = 0;

  // --- keys ---
  // Inserts a new key. rec.key.id and rec.key.secret_hash must be unique among existing keys
  // (conflict otherwise; a deleted key's id may be reused); rec.key.team, when set, must name an
  // existing team (invalid_argument). created_at/updated_at are taken from rec; revoked fields are
  // ignored. Returns the stored record with its revision.
  virtual Result<KeyRecord> create_key(const KeyRecord& rec) = 0;
  virtual Result<std::optional<KeyRecord>> get_key(const std::string& id) = 0;
  // Ordered by id.
  virtual Result<std::vector<KeyRecord>> list_keys(const KeyFilter& filter) = 0;
  // The key whose current secret hashes to secret_hash (revoked keys too: the caller decides).
  virtual Result<std::optional<KeyRecord>> find_by_secret_hash(const std::string& secret_hash) = 0;
  // Replaces the policy fields of key rec.key.id (owner, team, enabled, expires, access, budgets,
  // limits) and sets updated_at; the secret hash and lifecycle fields are not changed by an
  // update. When if_revision is set and differs from the stored record's revision: conflict
  // (someone changed it since the caller read it). Revoked keys cannot be updated (conflict).
  virtual Result<KeyRecord> update_key(const KeyRecord& rec, std::optional<uint64_t> if_revision) = 0;
  // Replaces the secret hash (the old secret stops matching in the same transaction) and sets
  // rotated_at/updated_at to at_ms. Revoked keys cannot be rotated (conflict).
  virtual Result<KeyRecord> rotate_key(const std::string& id, const std::string& new_secret_hash,
                                       int64_t at_ms) = 0;
  // Marks the key revoked by `actor` for `reason`. Idempotent: revoking a revoked key returns it
  // unchanged (same revision, first revocation kept).
  virtual Result<KeyRecord> revoke_key(const std::string& id, const std::string& actor,
                                       const std::string& reason, int64_t at_ms) = 0;
  // Removes the key and leaves a tombstone (deleted_keys in changes_since).
  virtual Status delete_key(const std::string& id) = 0;

  // --- teams ---
  // id unique (conflict).
  virtual Result<TeamRecord> create_team(const TeamRecord& rec) = 0;
  virtual Result<std::optional<TeamRecord>> get_team(const std::string& id) = 0;
  virtual Result<std::vector<TeamRecord>> list_teams() = 0;
  // Replaces description, budgets, limits; same if_revision rule as update_key.
  virtual Result<TeamRecord> update_team(const TeamRecord& rec, std::optional<uint64_t> if_revision) = 0;
  // Refused (conflict) while any key (revoked ones included) names the team.
  virtual Status delete_team(const std::string& id) = 0;

  // --- followers ---
  // Everything with a revision > after, and the current revision. after >= revision(): empty.
  virtual Result<DirectoryChanges> changes_since(uint64_t after) = 0;
};

}  // namespace gw::storage
