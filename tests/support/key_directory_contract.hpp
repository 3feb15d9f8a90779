#pragma once
// The behaviour every KeyDirectory implementation must show, written once: the SQLite test
// (tests/unit/storage) and the PostgreSQL test run this same body against their store.
//
//   TEST_CASE("PgKeyDirectory: the key directory contract") {
//     gw::test::key_directory_contract([&] { return open_a_fresh_empty_pg_directory(); });
//   }
//
// The body uses doctest SUBCASEs: doctest re-runs the test case once per subcase, and each run
// calls `fresh` once, so each subcase starts from an empty directory.
#include <functional>
#include <memory>

#include "core/storage/key_directory.hpp"

namespace gw::test {

using KeyDirectoryFactory = std::function<std::unique_ptr<storage::KeyDirectory>()>;

void key_directory_contract(const KeyDirectoryFactory& fresh);

// A key record with the given id, team and a secret hash derived from `secret`.
storage::KeyRecord sample_key(const std::string& id, const std::string& team = "", const std::string& secret = "");

}  // namespace gw::test
