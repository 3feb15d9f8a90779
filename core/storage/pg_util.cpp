#include "core/storage/pg_util.hpp"

#include <cstdlib>

namespace gw::storage::pg {

namespace {

constexpr Oid k_int8 = 20, k_text = 25, k_int8_array = 1016, k_text_array = 1009;

void put_be32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_be64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// PostgreSQL's binary array header for a one-dimensional array of n elements of `elem`.
std::string array_header(size_t n, Oid elem) {
  std::string out;
  put_be32(out, n ? 1 : 0);  // dimensions
  put_be32(out, 0);          // no NULL elements
  put_be32(out, elem);
  if (n) {
    put_be32(out, static_cast<uint32_t>(n));
    put_be32(out, 1);  // lower bound
  }
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

void Params::add(std::string bytes, Oid type, int format, bool is_null) {
  m_lengths.push_back(static_cast<int>(bytes.size()));
  m_values.push_back(std::move(bytes));
  m_nulls.push_back(is_null);
  m_types.push_back(type);
  m_formats.push_back(format);
}

Params& Params::text(std::string_view v) {
  add(std::string(v), k_text, 1);
  return *this;
}

Params& Params::i64(int64_t v) {
  add(std::to_string(v), k_int8, 0);
  return *this;
}

Params& Params::null() {
  add({}, 0, 0, true);
  return *this;
}

Params& Params::text_array(const std::vector<std::string_view>& v) {
  std::string out = array_header(v.size(), k_text);
  for (auto s : v) {
    put_be32(out, static_cast<uint32_t>(s.size()));
    out.append(s);
  }
  add(std::move(out), k_text_array, 1);
  return *this;
}

Params& Params::i64_array(const std::vector<int64_t>& v) {
  std::string out = array_header(v.size(), k_int8);
  for (int64_t x : v) {
    put_be32(out, 8);
    put_be64(out, static_cast<uint64_t>(x));
  }
  add(std::move(out), k_int8_array, 1);
  return *this;
}

const char* const* Params::values() {
  m_ptrs.clear();
  for (size_t i = 0; i < m_values.size(); ++i) m_ptrs.push_back(m_nulls[i] ? nullptr : m_values[i].data());
  return m_ptrs.data();
}

std::string describe_target(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (err) PQfreemem(err);
  if (!opts) return "the PostgreSQL server";
  std::string user, host, port, db;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    std::string k = o->keyword;
    if (k == "user") user = o->val;
    else if (k == "host") host = o->val;
    else if (k == "port") port = o->val;
    else if (k == "dbname") db = o->val;
  }
  PQconninfoFree(opts);
  std::string out = "postgresql://" + (user.empty() ? "" : user + "@") + (host.empty() ? "localhost" : host);
  if (!port.empty()) out += ":" + port;
  if (!db.empty()) out += "/" + db;
  return out;
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& conninfo, int connect_timeout_s) {
  std::unique_ptr<Connection> c(new Connection());
  c->m_target = describe_target(conninfo);
  // Parse first so that a malformed URL is a config error, not a connection failure.
  char* perr = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &perr);
  if (!opts) {
    // libpq's reason quotes the whole URL, password included: not repeated here.
    if (perr) PQfreemem(perr);
    return fail(Errc::config, "[storage] url is not a valid PostgreSQL connection string; expected "
                              "postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?param=value] or \"host=... dbname=...\"");
  }
  PQconninfoFree(opts);
  std::string timeout = std::to_string(connect_timeout_s);
  // Defaults first: the expanded conninfo (dbname, expand_dbname = 1) overrides them.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* vals[] = {timeout.c_str(), "gw serve", conninfo.c_str(), nullptr};
  c->m_conn = PQconnectdbParams(keys, vals, 1);
  if (!c->m_conn) return fail(Errc::unavailable, "cannot connect to " + c->m_target + ": out of memory");
  if (PQstatus(c->m_conn) != CONNECTION_OK) {
    // libpq's message names host/socket and the reason; it never contains the password.
    return fail(Errc::unavailable, "cannot connect to " + c->m_target + ": " + trim(PQerrorMessage(c->m_conn)) +
                                       " (is the server running and is [storage] url right?)");
  }
  // libpq prints notices and a server's goodbye to stderr by default; failures reach the caller
  // as errors instead, so the notices are dropped.
  PQsetNoticeProcessor(c->m_conn, [](void*, const char*) {}, nullptr);
  if (auto st = c->exec("SET client_min_messages = warning", "configuring the session"); !st)
    return std::unexpected(st.error());
  return c;
}

Connection::~Connection() {
  if (m_conn) PQfinish(m_conn);
}

bool Connection::healthy() const { return m_conn && PQstatus(m_conn) == CONNECTION_OK; }

Result<PgResult> Connection::check(PGresult* raw, std::string_view what) {
  PgResult r(raw);
  m_sqlstate.clear();
  ExecStatusType s = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return r;
  const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
  if (state) m_sqlstate = state;
  std::string msg = r ? trim(PQresultErrorMessage(r.get())) : "";
  if (msg.empty()) msg = trim(PQerrorMessage(m_conn));
  Errc code = healthy() ? Errc::io : Errc::unavailable;
  return fail(code, std::string(what) + " on " + m_target + ": " + msg);
}

Status Connection::exec(const char* sql, std::string_view what) {
  GW_TRY(r, check(PQexec(m_conn, sql), what));
  (void)r;
  return {};
}

Result<PgResult> Connection::run(const char* name, const char* sql, Params& p, std::string_view what) {
  if (!m_prepared.contains(name)) {
    GW_TRY(prep, check(PQprepare(m_conn, name, sql, p.size(), p.types()), what));
    (void)prep;
    m_prepared.insert(name);
  }
  return check(PQexecPrepared(m_conn, name, p.size(), p.values(), p.lengths(), p.formats(), 0), what);
}

Result<PgResult> Connection::run_once(const char* sql, Params& p, std::string_view what) {
  return check(PQexecParams(m_conn, sql, p.size(), p.types(), p.values(), p.lengths(), p.formats(), 0), what);
}

std::string cell(const PgResult& r, int row, int col) {
  return std::string(PQgetvalue(r.get(), row, col), static_cast<size_t>(PQgetlength(r.get(), row, col)));
}

int64_t cell_i64(const PgResult& r, int row, int col) {
  if (PQgetisnull(r.get(), row, col)) return 0;
  return std::strtoll(PQgetvalue(r.get(), row, col), nullptr, 10);
}

bool cell_null(const PgResult& r, int row, int col) { return PQgetisnull(r.get(), row, col) != 0; }

}  // namespace gw::storage::pg
