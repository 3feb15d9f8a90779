#pragma once
// The central gateway's stores, opened together from one storage configuration. `gw serve` owns
// one Stores for its lifetime; the HTTP routes, SIEM export, leases and the admin API borrow
// references to its members. Each member is an interface so that the SQLite driver (one process,
// the default) and the PostgreSQL driver (several replicas) can both stand behind it.
//
// Adding a store: add a member here, open it in open_stores() for every driver, and document
// which of its operations must be atomic in its interface header.
#include <filesystem>
#include <memory>
#include <string>

#include "core/common/result.hpp"
#include "core/storage/audit_store.hpp"
#include "core/storage/key_directory.hpp"
#include "core/storage/lease_ledger.hpp"

namespace gw::storage {

// Where and how the central stores live ([storage] of server.toml).
struct StoreConfig {
  std::string driver = "sqlite";  // "sqlite" (the default) or "postgres"
  std::filesystem::path path;     // sqlite: the database file; every store shares it
  std::string url;                // postgres: libpq URL; may hold a password, never log it
  size_t pool_size = 8;           // postgres: connections of this replica
};

struct Stores {
  std::unique_ptr<AuditStore> audit;    // device audit chains + central events (the SIEM feed)
  std::unique_ptr<LeaseLedger> leases;  // central budget ledger
  // Central virtual keys and teams. Null on PostgreSQL until a PostgreSQL KeyDirectory exists:
  // the Admin API then answers 503 on key and team routes.
  std::unique_ptr<KeyDirectory> keys;
  std::string name;  // for logs: the SQLite file, or the PostgreSQL server (never the password)
};

// Opens (creating when absent) every store for config.driver. Errors: an unknown driver
// (Errc::config), a database that cannot be opened or migrated (Errc::io), an unreachable
// PostgreSQL server (Errc::unavailable).
Result<Stores> open_stores(const StoreConfig& config);

}  // namespace gw::storage
