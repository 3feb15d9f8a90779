#pragma once
// Small RAII helpers over the SQLite C API for the storage adapters.
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/result.hpp"

namespace gw::storage {

// A prepared statement, finalized on destruction; reset() readies it for the next use.
class Stmt {
public:
  Stmt() = default;
  Stmt(sqlite3* db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  // Prepares sql on db (an empty Stmt only); false when SQLite refuses it.
  bool prepare(sqlite3* db, std::string_view sql);
  bool ok() const { return m_stmt != nullptr; }
  sqlite3_stmt* get() { return m_stmt; }
  void reset();
  void bind(int i, int64_t v) { sqlite3_bind_int64(m_stmt, i, v); }
  void bind(int i, uint64_t v) { sqlite3_bind_int64(m_stmt, i, static_cast<int64_t>(v)); }
  void bind(int i, std::string_view v) { sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
  void bind_null(int i) { sqlite3_bind_null(m_stmt, i); }
  int step() { return sqlite3_step(m_stmt); }
  int64_t i64(int col) { return sqlite3_column_int64(m_stmt, col); }
  std::string text(int col);

private:
  sqlite3_stmt* m_stmt = nullptr;
};

// "what: <sqlite message>" as an io error.
Error sqlite_error(sqlite3* db, std::string_view what);
// Runs SQL without results; error names `what`.
Status exec(sqlite3* db, const char* sql, std::string_view what);

}  // namespace gw::storage
