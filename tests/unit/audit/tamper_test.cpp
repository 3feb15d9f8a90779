#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/audit/record.hpp"
#include "core/audit/spool.hpp"
#include "core/audit/verify.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

using namespace gw::audit;
using nlohmann::json;

namespace {
// A closed spool of 8 events with a checkpoint after every 4: seqs 1-4 events, 5 checkpoint,
// 6-9 events, 10 checkpoint. Lines are 1-based in the single segment.
struct Fixture {
  gw::test::TempDir tmp;
  test::MemoryKeyStore keys;
  std::filesystem::path seg;
  std::vector<std::string> lines;
  Fixture() {
    SpoolOptions o;
    o.dir = tmp.path();
    o.checkpoint_every_events = 4;
    auto spool = Spool::open(o, keys);
    REQUIRE(spool);
    for (int i = 0; i < 8; ++i) {
      auto ev = test::sample_event();
      ev.request_id = "r" + std::to_string(i);
      REQUIRE((*spool)->append_durable(ev));
    }
    (*spool)->close();
    seg = list_segments(tmp.path()).front().path;
    lines = test::segment_lines(tmp.path());
    REQUIRE(lines.size() == 10);
    REQUIRE(verify_spool(tmp.path(), keys.key()).ok());
  }
  void save() { test::write_lines(seg, lines); }
  VerifyReport verify() { return verify_spool(tmp.path(), keys.key()); }
};

bool has(const VerifyReport& r, ProblemKind k, uint64_t seq) {
  for (const auto& p : r.problems)
    if (p.kind == k && p.seq == seq) return true;
  return false;
}
}  // namespace

TEST_CASE("Verify: an edited event is named as modified, with its seq, file and line") {
  Fixture f;
  auto j = json::parse(f.lines[2]);
  j["model"] = "cheaper-model";
  f.lines[2] = j.dump();
  f.save();
  auto r = f.verify();
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].kind == ProblemKind::modified);
  CHECK(r.problems[0].seq == 3);
  CHECK(r.problems[0].line == 3);
  CHECK(r.problems[0].file == f.seg);
  CHECK(r.problems[0].message.find("seq 3") != std::string::npos);
}

TEST_CASE("Verify: editing the event just before a checkpoint is caught by the checkpoint's link") {
  Fixture f;
  auto j = json::parse(f.lines[3]);
  j["http_status"] = 200;
  f.lines[3] = j.dump();
  f.save();
  CHECK(has(f.verify(), ProblemKind::modified, 4));
}

TEST_CASE("Verify: a deleted event is named with the missing seq") {
  Fixture f;
  f.lines.erase(f.lines.begin() + 6);  // seq 7
  f.save();
  auto r = f.verify();
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].kind == ProblemKind::deleted);
  CHECK(r.problems[0].seq == 7);
  CHECK(r.problems[0].message.find("seq 7 missing") != std::string::npos);
}

TEST_CASE("Verify: swapped events are named as reordered, not as deleted or modified") {
  Fixture f;
  std::swap(f.lines[1], f.lines[2]);  // seqs 2 and 3
  f.save();
  auto r = f.verify();
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].kind == ProblemKind::reordered);
  CHECK(r.problems[0].seq == 2);
}

TEST_CASE("Verify: events cut off the end are named as truncated") {
  Fixture f;
  f.lines.resize(7);  // drops seq 8, 9 and the final checkpoint 10
  f.save();
  auto r = f.verify();
  CHECK(has(r, ProblemKind::truncated, 8));
}

TEST_CASE("Verify: a record cut mid-line is named as truncated") {
  Fixture f;
  std::string data;
  for (const auto& l : f.lines) data += l + "\n";
  test::write_all(f.seg, data.substr(0, data.size() - 20));
  auto r = f.verify();
  bool found = false;
  for (const auto& p : r.problems) found |= p.kind == ProblemKind::truncated && p.line == 10;
  CHECK(found);
}

TEST_CASE("Verify: an edited checkpoint is named as forged") {
  Fixture f;
  auto j = json::parse(f.lines[4]);
  j["time_ms"] = j["time_ms"].get<int64_t>() + 1;
  f.lines[4] = j.dump();
  f.save();
  CHECK(has(f.verify(), ProblemKind::forged_checkpoint, 5));
}

TEST_CASE("Verify: a rewritten chain re-signed with another key is named as a forged checkpoint") {
  Fixture f;
  // The attacker edits seq 2, recomputes every link and signs new checkpoints with their own key.
  DeviceKey attacker = DeviceKey::generate();
  std::string prev(k_genesis_prev);
  for (auto& line : f.lines) {
    auto j = json::parse(line);
    j["prev"] = prev;
    if (j["seq"] == 2) j["model"] = "cheaper-model";
    if (j["record"] == "checkpoint")
      line = *make_checkpoint_line(j["seq"], prev, j["time_ms"], j["device_id"].get<std::string>(), attacker);
    else
      line = j.dump();
    prev = record_hash(line);
  }
  f.save();
  test::write_all(checkpoint_mirror_path(f.tmp.path()), f.lines.back() + "\n");
  auto r = f.verify();
  CHECK(has(r, ProblemKind::forged_checkpoint, 5));
  CHECK(has(r, ProblemKind::forged_checkpoint, 10));
  for (const auto& p : r.problems) CHECK(p.message.find("key") != std::string::npos);
}

TEST_CASE("Verify: garbage in place of a record is named as malformed with its line") {
  Fixture f;
  f.lines[5] = "{not json";
  f.save();
  auto r = f.verify();
  bool found = false;
  for (const auto& p : r.problems) found |= p.kind == ProblemKind::malformed && p.line == 6;
  CHECK(found);
  CHECK(has(r, ProblemKind::deleted, 6));
}
