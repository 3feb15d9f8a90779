#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/audit/spool.hpp"
#include "core/audit/verify.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

using namespace gw::audit;
using nlohmann::json;

namespace {
SpoolOptions options_for(const std::filesystem::path& dir) {
  SpoolOptions o;
  o.dir = dir;
  o.device_id = "dev-test";
  return o;
}
}  // namespace

TEST_CASE("Spool recovery: a torn last line is reported, cut off, and the sequence continues") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  {
    auto spool = Spool::open(options_for(tmp.path()), keys);
    REQUIRE(spool);
    for (int i = 0; i < 4; ++i) REQUIRE((*spool)->append_durable(test::sample_event()));
  }
  // Simulate a crash mid-write: half of a fifth record, no newline.
  auto seg = list_segments(tmp.path()).back().path;
  std::string data = test::read_all(seg);
  const uint64_t good_size = data.size();
  std::string torn = data.substr(0, data.find('\n'));
  test::write_all(seg, data + torn.substr(0, torn.size() / 2));
  CHECK_FALSE(verify_spool(tmp.path(), keys.key()).ok());  // visible before repair

  auto spool = Spool::open(options_for(tmp.path()), keys);
  REQUIRE(spool);
  const auto& rep = (*spool)->recovery();
  CHECK(rep.repaired);
  CHECK(rep.removed_lines == 1);
  CHECK(rep.removed_bytes == torn.size() / 2);
  CHECK(rep.message.find("interrupted write") != std::string::npos);
  CHECK(std::filesystem::file_size(seg) >= good_size);
  auto r = (*spool)->append_durable(test::sample_event());
  REQUIRE(r);
  CHECK(r->seq == 7);  // 4 events + checkpoint = 5, repair alarm = 6
  (*spool)->close();

  auto lines = test::segment_lines(tmp.path());
  auto alarm = json::parse(lines[5]);
  CHECK(alarm["kind"] == "alarm");
  CHECK(alarm["reason"].get<std::string>().find("interrupted write") != std::string::npos);
  auto v = verify_spool(tmp.path(), keys.key());
  CHECK(v.ok());
}

TEST_CASE("Spool recovery: a zero-filled tail after power loss is cut off too") {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  {
    auto spool = Spool::open(options_for(tmp.path()), keys);
    REQUIRE(spool);
    REQUIRE((*spool)->append_durable(test::sample_event()));
  }
  auto seg = list_segments(tmp.path()).back().path;
  test::write_all(seg, test::read_all(seg) + std::string(300, '\0') + "\n");
  auto spool = Spool::open(options_for(tmp.path()), keys);
  REQUIRE(spool);
  CHECK((*spool)->recovery().repaired);
  REQUIRE((*spool)->append_durable(test::sample_event()));
  (*spool)->close();
  CHECK(verify_spool(tmp.path(), keys.key()).ok());
}
