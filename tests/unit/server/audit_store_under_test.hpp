#pragma once
// The AuditStore the ingest tests run against: SQLite by default; a fresh database on a private
// PostgreSQL server (tests/support/postgres.hpp) when GW_TEST_AUDIT_STORE=postgres (ctest runs
// the ingest tests both ways: unit_server and unit_server_pg).
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/storage/pg_audit_store.hpp"
#include "core/storage/sqlite_audit_store.hpp"
#include "tests/support/postgres.hpp"

namespace gw::test {

inline bool audit_store_is_postgres() {
  const char* d = std::getenv("GW_TEST_AUDIT_STORE");
  return d && std::string(d) == "postgres";
}

inline std::unique_ptr<storage::AuditStore> open_audit_store_under_test(const std::filesystem::path& dir) {
  if (audit_store_is_postgres()) {
    std::string why;
    Postgres* pg = Postgres::shared(&why);
    if (!pg) throw std::runtime_error("GW_TEST_AUDIT_STORE=postgres but " + why);
    auto pool = storage::pg::Pool::open(pg->fresh_database(), 4);
    if (!pool) throw std::runtime_error(pool.error().message);
    auto s = storage::PgAuditStore::open(std::shared_ptr<storage::pg::Pool>(std::move(*pool)));
    if (!s) throw std::runtime_error(s.error().message);
    return std::move(*s);
  }
  auto s = storage::SqliteAuditStore::open(dir / "c.db");
  if (!s) throw std::runtime_error(s.error().message);
  return std::move(*s);
}

}  // namespace gw::test
