#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/audit/spool.hpp"
#include "core/audit/verify.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

using namespace gw::audit;
using nlohmann::json;

TEST_CASE("Spool: disk full -> the admission fails with a clear error, nothing is corrupted, and "
          "writing resumes with a gap record once space returns") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  test::FaultyFileSystem fs;
  SpoolOptions opts;
  opts.dir = tmp.path();
  auto spool = Spool::open(opts, keys, nullptr, &fs);
  REQUIRE(spool);
  REQUIRE((*spool)->append_durable(test::sample_event()));
  auto seg = list_segments(tmp.path()).back().path;
  const std::string before = test::read_all(seg);

  fs.full = true;
  auto refused = (*spool)->append_durable(test::sample_event());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == gw::Errc::io);
  CHECK(refused.error().message.find("No space left on device") != std::string::npos);
  CHECK(refused.error().message.find("refused") != std::string::npos);
  auto lost = (*spool)->append(test::sample_event(EventKind::completed)).wait();
  CHECK_FALSE(lost);
  CHECK(test::read_all(seg) == before);  // the half-written batch was cut back off
  CHECK(verify_spool(tmp.path(), keys.key()).problems.empty());

  fs.full = false;
  auto ok = (*spool)->append_durable(test::sample_event());
  REQUIRE(ok);
  CHECK(ok->seq == 3);  // seq 2 is the gap record
  (*spool)->close();
  auto lines = test::segment_lines(tmp.path());
  auto gap = json::parse(lines[1]);
  CHECK(gap["kind"] == "gap");
  CHECK(gap["reason"].get<std::string>().find("1 audit records could not be written") != std::string::npos);
  CHECK(gap["reason"].get<std::string>().find("1 requests were refused") != std::string::npos);
  CHECK(verify_spool(tmp.path(), keys.key()).ok());
}

TEST_CASE("Spool: an unwritable spool directory makes open fail with the path in the message") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  auto file = tmp.path() / "not-a-dir";
  test::write_all(file, "x");
  SpoolOptions opts;
  opts.dir = file / "audit";
  auto spool = Spool::open(opts, keys);
  REQUIRE_FALSE(spool);
  CHECK(spool.error().message.find("not-a-dir") != std::string::npos);
}
