#include "tests/support/postgres.hpp"

#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace gw::test {
namespace fs = std::filesystem;

namespace {

bool required() {
  const char* v = std::getenv("GW_REQUIRE_POSTGRES");
  return v && std::string(v) == "1";
}

// The directory holding initdb and postgres, or empty.
fs::path find_bindir() {
  std::error_code ec;
  if (const char* d = std::getenv("GW_PG_BINDIR"); d && *d) return d;
  // Debian: /usr/lib/postgresql/<major>/bin; Homebrew (keg-only): <prefix>/opt/postgresql@<major>/bin.
  std::vector<std::pair<int, fs::path>> found;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec))
    if (fs::is_regular_file(e.path() / "bin" / "postgres", ec))
      found.push_back({std::atoi(e.path().filename().c_str()), e.path() / "bin"});
  for (const char* prefix : {"/opt/homebrew/opt", "/usr/local/opt"}) {
    for (const auto& e : fs::directory_iterator(prefix, ec)) {
      std::string name = e.path().filename().string();
      if (name.starts_with("postgresql@") && fs::is_regular_file(e.path() / "bin" / "postgres", ec))
        found.push_back({std::atoi(name.c_str() + 11), e.path() / "bin"});
    }
  }
  if (!found.empty()) return std::max_element(found.begin(), found.end())->second;
  Env env;
  if (const char* p = std::getenv("PATH")) env["PATH"] = p;
  auto initdb = find_program("initdb", env);
  auto postgres = find_program("postgres", env);
  if (initdb && postgres) return postgres->parent_path();
  return {};
}

}  // namespace

std::unique_ptr<Postgres> Postgres::start(std::string* why_not, PostgresOptions opts) {
  auto none = [&](const std::string& why) -> std::unique_ptr<Postgres> {
    if (required()) throw std::runtime_error("GW_REQUIRE_POSTGRES=1 but " + why);
    if (why_not) *why_not = why;
    return nullptr;
  };
  fs::path bin = find_bindir();
  if (bin.empty())
    return none("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin, no initdb on PATH); "
                "install it with installers/install.sh --deps-only");
  std::vector<std::string> as_user;  // prefix that drops root
  std::unique_ptr<Postgres> pg(new Postgres());
  pg->m_dir = std::make_unique<TempDir>("gw-pg");
  const fs::path& dir = pg->m_dir->path();
  if (::getuid() == 0) {
    passwd* pw = ::getpwnam("postgres");
    if (!pw) return none("running as root and there is no \"postgres\" user to run the server as");
    if (::chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      throw std::runtime_error("cannot hand " + dir.string() + " to the postgres user");
    as_user = {"setpriv", "--reuid=" + std::to_string(pw->pw_uid), "--regid=" + std::to_string(pw->pw_gid),
               "--clear-groups", "--"};
  }
  ::chmod(dir.c_str(), 0700);
  Env env = minimal_env(dir);
  {
    ProcessOptions po;
    po.argv = as_user;
    for (std::string a : {(bin / "initdb").string(), std::string("-D"), (dir / "data").string(), std::string("-U"),
                          std::string("gw"), std::string("--auth=trust"), std::string("-E"), std::string("UTF8"),
                          std::string("--locale=C"), std::string("--no-sync")})
      po.argv.push_back(a);
    po.env = env;
    po.cwd = dir;
    Process initdb(po);
    auto rc = initdb.wait(std::chrono::seconds(120));
    if (!rc || *rc != 0)
      throw std::runtime_error("initdb failed: " + initdb.stdout_text() + initdb.stderr_text());
  }
  ProcessOptions po;
  po.argv = as_user;
  for (std::string a :
       {(bin / "postgres").string(), std::string("-D"), (dir / "data").string(), std::string("-k"), dir.string(),
        std::string("-c"), std::string("listen_addresses="), std::string("-c"),
        std::string("fsync=") + (opts.fsync ? "on" : "off"), std::string("-c"),
        "max_connections=" + std::to_string(opts.max_connections)})
    po.argv.push_back(a);
  po.env = env;
  po.cwd = dir;
  pg->m_process = std::make_unique<Process>(po);
  if (!pg->m_process->wait_for_output("database system is ready to accept connections", std::chrono::seconds(60)))
    throw std::runtime_error("postgres did not start: " + pg->m_process->stderr_text());
  return pg;
}

Postgres* Postgres::shared(std::string* why_not) {
  static std::mutex mu;
  static std::unique_ptr<Postgres> instance;
  static std::string why;
  static bool tried = false;
  std::lock_guard lock(mu);
  if (!tried) {
    tried = true;
    instance = start(&why);
  }
  if (!instance && why_not) *why_not = why;
  return instance.get();
}

Postgres::~Postgres() {
  if (m_process && m_process->running()) {
    ::kill(-m_process->pid(), SIGINT);  // fast shutdown: ends sessions, checkpoints, exits
    if (!m_process->wait(std::chrono::seconds(30))) m_process->kill();
  }
  m_process.reset();
}

std::string Postgres::url(const std::string& db) const {
  return "postgresql:///" + db + "?host=" + m_dir->path().string() + "&user=gw";
}

std::string Postgres::fresh_database() {
  std::string name = "gw_test_" + std::to_string(::getpid()) + "_" + std::to_string(++m_databases);
  PGconn* c = PQconnectdb(url("postgres").c_str());
  std::string err;
  if (PQstatus(c) != CONNECTION_OK) {
    err = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) err = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  if (!err.empty()) throw std::runtime_error("cannot create test database " + name + ": " + err);
  return url(name);
}

std::string Postgres::log() const { return m_process ? m_process->stderr_text() : ""; }

}  // namespace gw::test
