#include "core/storage/pg_stores.hpp"

namespace gw::storage {

Result<PgStores> open_pg_stores(const PgStoreOptions& options) {
  PgStores s;
  GW_TRY(pool, pg::Pool::open(options.url, options.pool_size));
  s.pool = std::shared_ptr<pg::Pool>(std::move(pool));
  GW_TRY(audit, PgAuditStore::open(s.pool));
  s.audit = std::move(audit);
  GW_TRY(leases, PgLeaseLedger::open(s.pool));
  s.leases = std::move(leases);
  return s;
}

}  // namespace gw::storage
