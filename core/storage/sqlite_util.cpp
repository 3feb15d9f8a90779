#include "core/storage/sqlite_util.hpp"

namespace gw::storage {

Stmt::Stmt(sqlite3* db, std::string_view sql) { prepare(db, sql); }

bool Stmt::prepare(sqlite3* db, std::string_view sql) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &m_stmt,
                         nullptr) != SQLITE_OK)
    m_stmt = nullptr;
  return m_stmt != nullptr;
}

Stmt::~Stmt() {
  if (m_stmt) sqlite3_finalize(m_stmt);
}

void Stmt::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

std::string Stmt::text(int col) {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(m_stmt, col))) : std::string();
}

Error sqlite_error(sqlite3* db, std::string_view what) {
  return Error{Errc::io, std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
}

Status exec(sqlite3* db, const char* sql, std::string_view what) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : "unknown error";
    sqlite3_free(msg);
    return fail(Errc::io, std::string(what) + ": " + m);
  }
  return {};
}

}  // namespace gw::storage
