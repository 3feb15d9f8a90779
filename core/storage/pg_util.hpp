#pragma once
// Small RAII helpers over libpq for the PostgreSQL adapters: one connection with statements
// prepared on first use, parameters passed out of line (PQexecParams / PQexecPrepared, never
// spliced into SQL text), and error messages that name the server but never the password.
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/common/result.hpp"

namespace gw::storage::pg {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// Query parameters. Strings travel in binary format (the exact bytes, any length); integers as
// text; arrays in PostgreSQL's binary array format. Each value keeps its own storage.
class Params {
public:
  Params& text(std::string_view v);
  Params& i64(int64_t v);
  Params& u64(uint64_t v) { return i64(static_cast<int64_t>(v)); }
  Params& null();
  Params& text_array(const std::vector<std::string_view>& v);  // text[]
  Params& i64_array(const std::vector<int64_t>& v);            // int8[]
  int size() const { return static_cast<int>(m_values.size()); }
  // Views for libpq, valid while this object lives and is not changed.
  const Oid* types() const { return m_types.data(); }
  const char* const* values();
  const int* lengths() const { return m_lengths.data(); }
  const int* formats() const { return m_formats.data(); }

private:
  void add(std::string bytes, Oid type, int format, bool is_null = false);
  std::vector<std::string> m_values;
  std::vector<bool> m_nulls;
  std::vector<const char*> m_ptrs;
  std::vector<Oid> m_types;
  std::vector<int> m_lengths;
  std::vector<int> m_formats;
};

// The server a conninfo/URL names, for messages: "postgresql://user@host:port/db" without the
// password (and without any other option). Falls back to "the PostgreSQL server".
std::string describe_target(const std::string& conninfo);

// One libpq connection. Not thread-safe: one user at a time (the pool hands it out).
class Connection {
public:
  // Connects (blocking, bounded by connect_timeout_s). Errors (Errc::unavailable) name the server
  // without the password and say what to check.
  static Result<std::unique_ptr<Connection>> open(const std::string& conninfo, int connect_timeout_s = 10);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* raw() { return m_conn; }
  // False once the connection broke (the pool drops it instead of reusing it).
  bool healthy() const;
  const std::string& target() const { return m_target; }

  // Runs SQL without parameters (may hold several statements). `what` names the action in errors.
  Status exec(const char* sql, std::string_view what);
  // Runs one parameterized statement, prepared once per connection under `name`; returns the
  // result when it succeeded (tuples or command ok). Errors carry SQLSTATE in sqlstate().
  Result<PgResult> run(const char* name, const char* sql, Params& params, std::string_view what);
  // Same, unprepared (for statements used rarely).
  Result<PgResult> run_once(const char* sql, Params& params, std::string_view what);
  // SQLSTATE of the last failed statement ("" when none or not from the server).
  const std::string& sqlstate() const { return m_sqlstate; }

private:
  Connection() = default;
  Result<PgResult> check(PGresult* r, std::string_view what);
  PGconn* m_conn = nullptr;
  std::string m_target;
  std::string m_sqlstate;
  std::unordered_set<std::string> m_prepared;
};

// Helpers for reading a result cell as text or integer (0 for NULL).
std::string cell(const PgResult& r, int row, int col);
int64_t cell_i64(const PgResult& r, int row, int col);
bool cell_null(const PgResult& r, int row, int col);

}  // namespace gw::storage::pg
