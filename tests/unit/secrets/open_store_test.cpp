#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>

#include "core/secrets/secret_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw;

namespace {
// Sets an environment variable for one scope, restoring the old value.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const char* n, const char* v) : name(n) {
    if (const char* o = std::getenv(n)) old = o;
    if (v) ::setenv(n, v, 1);
    else ::unsetenv(n);
  }
  ~ScopedEnv() {
    if (old) ::setenv(name.c_str(), old->c_str(), 1);
    else ::unsetenv(name.c_str());
  }
};

Paths paths_in(const std::filesystem::path& root) { return Paths{root / "config", root / "state", root / "state" / "run"}; }
}  // namespace

TEST_CASE("open_secret_store: GW_SECRET_BACKEND=file picks the file under the state dir") {
  test::TempDir tmp;
  ScopedEnv e("GW_SECRET_BACKEND", "file");
  auto s = secrets::open_secret_store(paths_in(tmp.path()));
  REQUIRE(s);
  CHECK((*s)->backend() == secrets::Backend::file);
  CHECK((*s)->location() == (tmp.path() / "state" / "secrets" / "credentials.json").string());
}

TEST_CASE("open_secret_store: an unknown backend name is an error listing the choices") {
  test::TempDir tmp;
  ScopedEnv e("GW_SECRET_BACKEND", "vault");
  auto s = secrets::open_secret_store(paths_in(tmp.path()));
  REQUIRE_FALSE(s);
  CHECK(s.error().message.find("auto, secret-service, keychain, file") != std::string::npos);
}

TEST_CASE("open_secret_store: without a session bus, auto falls back to the file and an explicit secret-service fails") {
  test::TempDir tmp;
  ScopedEnv bus("DBUS_SESSION_BUS_ADDRESS", nullptr);
  ScopedEnv rt("XDG_RUNTIME_DIR", tmp.path().c_str());  // no "bus" socket in it
  {
    ScopedEnv e("GW_SECRET_BACKEND", nullptr);
    auto s = secrets::open_secret_store(paths_in(tmp.path()));
    REQUIRE(s);
#ifndef __APPLE__
    CHECK((*s)->backend() == secrets::Backend::file);
#endif
  }
  ScopedEnv e("GW_SECRET_BACKEND", "secret-service");
  auto s = secrets::open_secret_store(paths_in(tmp.path()));
  REQUIRE_FALSE(s);
  CHECK(s.error().code == Errc::unavailable);
}
