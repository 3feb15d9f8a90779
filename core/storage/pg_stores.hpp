#pragma once
// The PostgreSQL driver of the central stores: one connection pool per `gw serve` replica, shared
// by every PostgreSQL store, each store migrating its own tables on open (versioned in gw_schema,
// serialized across replicas starting together).
#include <memory>
#include <string>

#include "core/storage/pg_audit_store.hpp"
#include "core/storage/pg_lease_ledger.hpp"
#include "core/storage/pg_pool.hpp"

namespace gw::storage {

struct PgStoreOptions {
  std::string url;        // libpq URL or "key=value" conninfo; may hold a password (never logged)
  size_t pool_size = 8;   // connections this replica may open
};

struct PgStores {
  std::shared_ptr<pg::Pool> pool;
  std::unique_ptr<PgAuditStore> audit;
  std::unique_ptr<PgLeaseLedger> leases;
};

// Connects and opens every store. Errors: a malformed URL (Errc::config), an unreachable server
// or refused login (Errc::unavailable, naming the server without the password), a failed
// migration (Errc::io).
Result<PgStores> open_pg_stores(const PgStoreOptions& options);

}  // namespace gw::storage
