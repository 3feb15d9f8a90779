#include "core/audit/verify.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/audit/record.hpp"
#include "core/audit/segments.hpp"

namespace gw::audit {
namespace fs = std::filesystem;
using nlohmann::json;

std::string_view to_string(ProblemKind kind) {
  static constexpr std::string_view k_names[] = {"malformed", "modified",   "deleted",
                                                 "reordered", "duplicated", "truncated",
                                                 "forged-checkpoint"};
  return k_names[static_cast<int>(kind)];
}

namespace {
struct Rec {
  uint64_t seq;
  std::string prev;
  std::string hash;
  json body;
  fs::path file;
  size_t line;
};

std::string where(const fs::path& file, size_t line) {
  return file.filename().string() + ":" + std::to_string(line);
}

json read_json_file(const fs::path& p, bool* exists) {
  std::ifstream in(p);
  *exists = static_cast<bool>(in);
  if (!in) return json::object();
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return json::parse(s, nullptr, false);
}
}  // namespace

VerifyReport verify_spool(const fs::path& dir, const DeviceKey& trusted) {
  VerifyReport rep;
  auto problem = [&](ProblemKind k, uint64_t seq, const fs::path& f, size_t line, std::string msg) {
    rep.problems.push_back({k, seq, f, line, std::move(msg)});
  };
  bool have_cursor = false, have_mirror = false;
  json cursor = read_json_file(ship_cursor_path(dir), &have_cursor);
  if (!cursor.is_object()) cursor = json::object();
  const uint64_t pruned = cursor.value("pruned_through", uint64_t{0});
  const uint64_t acked = cursor.value("acked_seq", uint64_t{0});
  const std::string start_prev =
      pruned > 0 ? cursor.value("pruned_hash", std::string()) : std::string(k_genesis_prev);

  // Pass 1: read every line in file order; flag unreadable lines, duplicates and reordering.
  std::vector<Rec> recs;
  std::set<uint64_t> seen;
  uint64_t max_seen = 0;
  auto st = for_each_line(dir, [&](const RawLine& l) {
    auto parsed = parse_record(l.bytes);
    if (!parsed || !l.complete) {
      bool tail = !l.complete;
      problem(tail ? ProblemKind::truncated : ProblemKind::malformed, 0, l.file, l.line_no,
              where(l.file, l.line_no) + (tail ? ": the last record is incomplete (cut off mid-write)"
                                               : ": not a valid audit record (" +
                                                     (parsed ? std::string("no newline")
                                                             : parsed.error().message) +
                                                     "): it was edited or damaged"));
      return true;
    }
    Rec r{(*parsed)["seq"].get<uint64_t>(), (*parsed)["prev"].get<std::string>(),
          record_hash(l.bytes), std::move(*parsed), l.file, l.line_no};
    if (r.seq <= pruned) return true;  // already shipped and pruned; anchor covers it
    if (seen.count(r.seq)) {
      problem(ProblemKind::duplicated, r.seq, r.file, r.line,
              "seq " + std::to_string(r.seq) + " at " + where(r.file, r.line) + " appears twice");
      return true;
    }
    if (r.seq < max_seen)
      problem(ProblemKind::reordered, r.seq, r.file, r.line,
              "seq " + std::to_string(r.seq) + " at " + where(r.file, r.line) +
                  " comes after seq " + std::to_string(max_seen) + ": records were reordered");
    seen.insert(r.seq);
    max_seen = std::max(max_seen, r.seq);
    recs.push_back(std::move(r));
    return true;
  });
  if (!st) {
    problem(ProblemKind::malformed, 0, dir, 0, st.error().message);
    return rep;
  }

  // Pass 2: walk the chain in sequence order.
  std::stable_sort(recs.begin(), recs.end(), [](const Rec& a, const Rec& b) { return a.seq < b.seq; });
  rep.records = recs.size();
  uint64_t expected = pruned + 1;
  const Rec* prev = nullptr;
  for (const auto& r : recs) {
    if (r.seq > expected) {
      std::string range = r.seq - 1 == expected ? "seq " + std::to_string(expected)
                                                : "seqs " + std::to_string(expected) + ".." +
                                                      std::to_string(r.seq - 1);
      problem(ProblemKind::deleted, expected, r.file, r.line,
              range + " missing before seq " + std::to_string(r.seq) + " at " +
                  where(r.file, r.line) + ": records were deleted");
    } else if (prev) {
      if (r.prev != prev->hash)
        problem(ProblemKind::modified, prev->seq, prev->file, prev->line,
                "seq " + std::to_string(prev->seq) + " at " + where(prev->file, prev->line) +
                    " was modified: its hash no longer matches the one seq " +
                    std::to_string(r.seq) + " (" + where(r.file, r.line) + ") recorded");
    } else if (r.prev != start_prev) {
      problem(ProblemKind::modified, r.seq, r.file, r.line,
              "seq " + std::to_string(r.seq) + " at " + where(r.file, r.line) +
                  " does not link to the start of the chain: it was modified");
    }
    if (r.body.value("record", "") == "checkpoint") {
      ++rep.checkpoints;
      if (auto why = checkpoint_problem(r.body, trusted); !why.empty())
        problem(ProblemKind::forged_checkpoint, r.seq, r.file, r.line,
                "seq " + std::to_string(r.seq) + " at " + where(r.file, r.line) + ": " + why);
      else
        rep.last_signed_seq = r.seq;
    }
    expected = r.seq + 1;
    prev = &r;
  }
  if (!recs.empty()) {
    rep.first_seq = recs.front().seq;
    rep.last_seq = recs.back().seq;
  }

  // Pass 3: the tail, against the mirrored latest checkpoint and the central acknowledgement.
  json mirror = read_json_file(checkpoint_mirror_path(dir), &have_mirror);
  if (have_mirror) {
    uint64_t mseq = mirror.is_object() ? mirror.value("seq", uint64_t{0}) : 0;
    auto why = mirror.is_object() ? checkpoint_problem(mirror, trusted) : std::string("not JSON");
    if (!why.empty())
      problem(ProblemKind::forged_checkpoint, mseq, checkpoint_mirror_path(dir), 1,
              "checkpoint.json: " + why);
    else if (mseq > rep.last_seq)
      problem(ProblemKind::truncated, rep.last_seq + 1, prev ? prev->file : dir, prev ? prev->line : 0,
              "the spool ends at seq " + std::to_string(rep.last_seq) +
                  " but the last signed checkpoint covers seq " + std::to_string(mseq) +
                  ": records were cut off the end");
  }
  if (acked > rep.last_seq && acked > pruned)
    problem(ProblemKind::truncated, rep.last_seq + 1, dir, 0,
            "the central gateway acknowledged seq " + std::to_string(acked) +
                " but the spool ends at seq " + std::to_string(rep.last_seq) +
                ": records were cut off the end");
  if (rep.last_seq > rep.last_signed_seq)
    rep.notes.push_back(std::to_string(rep.last_seq - rep.last_signed_seq) +
                        " record(s) after seq " + std::to_string(rep.last_signed_seq) +
                        " are not yet covered by a signed checkpoint");
  return rep;
}

}  // namespace gw::audit
