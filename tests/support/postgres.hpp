#pragma once
// A real, private PostgreSQL server for tests: initdb into a temp dir, `postgres` listening only
// on a unix socket in that dir (listen_addresses = '', no TCP port), trust authentication for
// the superuser "gw". When the tests run as root (CI, containers) the server runs as the
// unprivileged "postgres" user (PostgreSQL refuses root) through setpriv, with the temp dir
// owned by it. Stopped (fast shutdown) and removed on destruction.
//
// Finding the server: $GW_PG_BINDIR, else the newest /usr/lib/postgresql/*/bin (Debian), else
// initdb/postgres on PATH (Homebrew). When none is found the tests skip with a message, unless
// GW_REQUIRE_POSTGRES=1 (tests/run sets it on Linux), which makes a missing server a failure.
#include <filesystem>
#include <memory>
#include <string>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::test {

struct PostgresOptions {
  bool fsync = false;  // tests: off (faster; a crash of the test machine loses nothing of value)
  int max_connections = 100;
};

class Postgres {
public:
  // Starts a server; nullptr with *why_not set when PostgreSQL is not installed (or, as root,
  // there is no "postgres" user). Throws std::runtime_error when it is installed but does not
  // start (the message holds its output).
  static std::unique_ptr<Postgres> start(std::string* why_not, PostgresOptions opts = {});
  // One server shared by every test of this process (started on first use), or nullptr.
  static Postgres* shared(std::string* why_not);
  ~Postgres();
  Postgres(const Postgres&) = delete;
  Postgres& operator=(const Postgres&) = delete;

  // A connection URL for database `db` (libpq URI with the socket dir as host).
  std::string url(const std::string& db) const;
  // Creates an empty database with a fresh name and returns its URL (one per test: isolation).
  std::string fresh_database();
  const std::filesystem::path& dir() const { return m_dir->path(); }
  std::string log() const;  // the server's output so far

private:
  Postgres() = default;
  std::unique_ptr<TempDir> m_dir;
  std::unique_ptr<Process> m_process;
  int m_databases = 0;
};

// For test bodies: the shared server, or MESSAGE + return from the test when none (see above).
#define GW_REQUIRE_POSTGRES(var)                                          \
  std::string var##_why;                                                  \
  ::gw::test::Postgres* var = ::gw::test::Postgres::shared(&var##_why);   \
  if (!var) {                                                             \
    MESSAGE("skipped: " << var##_why);                                    \
    return;                                                               \
  }

}  // namespace gw::test
