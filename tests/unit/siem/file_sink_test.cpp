#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/siem/sinks.hpp"
#include "siem_events.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw::siem;
namespace fs = std::filesystem;

namespace {
std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}
std::vector<FeedEvent> batch(MemoryFeed& feed, uint64_t after, size_t n) { return *feed.read_after(after, n); }
}  // namespace

TEST_CASE("file sink: appends one JSON line per event in the chosen format") {
  gw::test::TempDir dir("gw-siem-file");
  MemoryFeed feed;
  test::fill(feed, 3);
  SinkConfig cfg;
  cfg.name = "f";
  cfg.destination = (dir.path() / "out" / "audit.jsonl").string();
  cfg.format = gw::audit::ExportFormat::ocsf;
  auto sink = make_file_sink(cfg);
  REQUIRE(sink);
  REQUIRE((*sink)->deliver(batch(feed, 0, 3)));
  auto lines = lines_of(cfg.destination);
  REQUIRE(lines.size() == 3);
  auto j = nlohmann::json::parse(lines[2]);
  CHECK(j["class_uid"] == 6003);
  CHECK(j["metadata"]["sequence"] == 3);
}

TEST_CASE("file sink: rotates by size, keeps N rotated files and never splits a batch") {
  gw::test::TempDir dir("gw-siem-file");
  MemoryFeed feed;
  test::fill(feed, 40);
  SinkConfig cfg;
  cfg.name = "f";
  cfg.destination = (dir.path() / "audit.jsonl").string();
  size_t line = serialize_event(test::sample_event(1)).size() + 1;
  cfg.rotate_bytes = static_cast<int64_t>(line * 4);  // ~4 events per file
  cfg.keep = 3;
  std::ofstream(dir.path() / "audit-notes.jsonl") << "not ours\n";
  auto sink = make_file_sink(cfg);
  REQUIRE(sink);
  for (uint64_t after = 0; after < 40; after += 2) REQUIRE((*sink)->deliver(batch(feed, after, 2)));

  std::vector<fs::path> rotated;
  for (const auto& e : fs::directory_iterator(dir.path()))
    if (e.path().filename() != "audit.jsonl" && e.path().filename() != "audit-notes.jsonl") rotated.push_back(e.path());
  std::sort(rotated.begin(), rotated.end());
  CHECK(rotated.size() == 3);
  CHECK(fs::exists(dir.path() / "audit-notes.jsonl"));  // a file the sink did not make is left alone
  // The newest files hold the newest events, contiguous, ending with the active file.
  std::vector<uint64_t> seqs;
  for (const auto& p : rotated)
    for (const auto& l : lines_of(p)) seqs.push_back(nlohmann::json::parse(l)["seq"].get<uint64_t>());
  for (const auto& l : lines_of(cfg.destination)) seqs.push_back(nlohmann::json::parse(l)["seq"].get<uint64_t>());
  REQUIRE(!seqs.empty());
  CHECK(seqs.back() == 40);
  for (size_t i = 1; i < seqs.size(); ++i) CHECK(seqs[i] == seqs[i - 1] + 1);
  for (const auto& p : rotated) CHECK(fs::file_size(p) <= line * 4);
}

TEST_CASE("file sink: an unwritable destination is a retryable failure naming the file") {
  gw::test::TempDir dir("gw-siem-file");
  std::ofstream(dir.path() / "blocker") << "x";
  MemoryFeed feed;
  test::fill(feed, 1);
  SinkConfig cfg;
  cfg.destination = (dir.path() / "blocker" / "audit.jsonl").string();
  auto sink = make_file_sink(cfg);
  auto r = (*sink)->deliver(batch(feed, 0, 1));
  REQUIRE_FALSE(r);
  CHECK(r.error().retryable);
  CHECK(r.error().message.find("cannot open " + cfg.destination) != std::string::npos);
}

TEST_CASE("file sink: with rotate_daily, a file last written on an earlier UTC day is rotated at the first write") {
  gw::test::TempDir dir("gw-siem-file");
  MemoryFeed feed;
  test::fill(feed, 2);
  SinkConfig cfg;
  cfg.destination = (dir.path() / "audit.jsonl").string();
  cfg.rotate_bytes = 0;
  cfg.rotate_daily = true;
  std::ofstream(cfg.destination) << "{\"seq\":0}\n";
  auto yesterday = fs::file_time_type::clock::now() - std::chrono::hours(25);
  fs::last_write_time(cfg.destination, yesterday);
  auto sink = make_file_sink(cfg);
  REQUIRE((*sink)->deliver(batch(feed, 0, 1)));
  REQUIRE((*sink)->deliver(batch(feed, 1, 1)));  // same day now: no second rotation
  std::vector<fs::path> rotated;
  for (const auto& e : fs::directory_iterator(dir.path()))
    if (e.path().filename() != "audit.jsonl") rotated.push_back(e.path());
  REQUIRE(rotated.size() == 1);
  CHECK(lines_of(rotated[0]) == std::vector<std::string>{"{\"seq\":0}"});
  CHECK(lines_of(cfg.destination).size() == 2);
}

TEST_CASE("file sink: rotations within the same millisecond still keep the newest files") {
  gw::test::TempDir dir("gw-siem-file");
  MemoryFeed feed;
  test::fill(feed, 30);
  SinkConfig cfg;
  cfg.destination = (dir.path() / "audit.jsonl").string();
  cfg.rotate_bytes = 1;  // every write after the first rotates
  cfg.keep = 5;
  cfg.fsync = false;
  auto sink = make_file_sink(cfg);
  for (uint64_t after = 0; after < 30; ++after) REQUIRE((*sink)->deliver(batch(feed, after, 1)));
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir.path()))
    if (e.path().filename() != "audit.jsonl") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() == 5);
  files.push_back(cfg.destination);
  uint64_t expect = 25;
  for (const auto& p : files) {
    auto ls = lines_of(p);
    REQUIRE(ls.size() == 1);
    CHECK(nlohmann::json::parse(ls[0])["seq"] == expect++);
  }
}
