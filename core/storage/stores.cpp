#include "core/storage/stores.hpp"

#include "core/storage/pg_stores.hpp"
#include "core/storage/sqlite_audit_store.hpp"
#include "core/storage/sqlite_key_directory.hpp"
#include "core/storage/sqlite_lease_ledger.hpp"

namespace gw::storage {

Result<Stores> open_stores(const StoreConfig& config) {
  Stores s;
  if (config.driver == "sqlite") {
    GW_TRY(audit, SqliteAuditStore::open(config.path));
    GW_TRY(leases, SqliteLeaseLedger::open(config.path));
    GW_TRY(keys, SqliteKeyDirectory::open(config.path));
    s.audit = std::move(audit);
    s.leases = std::move(leases);
    s.keys = std::move(keys);
    s.name = config.path.string();
    return s;
  }
  if (config.driver == "postgres") {
    GW_TRY(pg, open_pg_stores({config.url, config.pool_size}));
    s.audit = std::move(pg.audit);  // each store keeps the pool alive
    s.leases = std::move(pg.leases);
    s.name = pg.pool->target();
    return s;
  }
  return fail(Errc::config, "storage driver \"" + config.driver + "\" is not available; use \"sqlite\" or \"postgres\"");
}

}  // namespace gw::storage
