// Spool start-up (repairing a torn tail after a crash), the ship cursor and pruning of shipped
// segments. Runs on the opening thread (recover) or the writer thread (prune_shipped).
#include <fstream>
#include <sstream>

#include "core/audit/record.hpp"
#include "core/audit/segments.hpp"
#include "core/audit/spool.hpp"
#include "core/audit/spool_batch.hpp"
#include "core/common/log.hpp"
#include "core/common/paths.hpp"

namespace gw::audit {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
json read_json_file(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return json::object();
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  return j.is_object() ? j : json::object();
}
}  // namespace

Status Spool::recover() {
  GW_CHECK(ensure_private_dir(m_opts.dir));
  json cursor = read_json_file(ship_cursor_path(m_opts.dir));
  m_acked.store(cursor.value("acked_seq", uint64_t{0}));
  m_pruned_through = cursor.value("pruned_through", uint64_t{0});
  m_pruned_hash = cursor.value("pruned_hash", std::string());
  if (m_pruned_through > 0 && m_pruned_hash.size() == 64) {
    m_next_seq = m_pruned_through + 1;
    m_prev = m_pruned_hash;
  }
  m_last_checkpoint_ms = m_clock.now_ms();

  auto segs = list_segments(m_opts.dir);
  uint64_t total = 0;
  for (const auto& s : segs) total += s.size;
  if (segs.empty()) {
    m_bytes.store(0);
    m_durable_seq.store(m_next_seq - 1);  // what pruning left behind was durable
    return ensure_segment(m_next_seq, 0);
  }

  // A crash mid-write leaves an incomplete (or garbage) tail on the newest segment. Those
  // records were never acknowledged to a caller, so cutting them keeps the chain intact.
  const auto& last = segs.back();
  GW_TRY(lines, read_segment_lines(last.path));
  size_t keep = lines.size();
  while (keep > 0 && (!lines[keep - 1].complete || !parse_record(lines[keep - 1].bytes))) --keep;
  uint64_t good_size = last.size;
  if (keep < lines.size()) {
    good_size = lines[keep].offset;
    std::error_code ec;
    fs::resize_file(last.path, good_size, ec);
    if (ec) return fail(Errc::io, "cannot repair " + last.path.string() + ": " + ec.message());
    m_recovery.repaired = true;
    m_recovery.file = last.path;
    m_recovery.removed_bytes = last.size - good_size;
    m_recovery.removed_lines = lines.size() - keep;
    total -= m_recovery.removed_bytes;
    lines.resize(keep);
  }

  // The chain head: the last record of the newest segment that has one.
  const RawLine* head = keep > 0 ? &lines[keep - 1] : nullptr;
  std::vector<RawLine> older;
  for (size_t i = segs.size() - 1; !head && i-- > 0;) {
    GW_TRY(prev_lines, read_segment_lines(segs[i].path));
    older = std::move(prev_lines);
    while (!older.empty() && !parse_record(older.back().bytes)) older.pop_back();
    if (!older.empty()) head = &older.back();
  }
  if (head) {
    auto rec = parse_record(head->bytes);
    m_next_seq = (*rec)["seq"].get<uint64_t>() + 1;
    m_prev = record_hash(head->bytes);
  }
  for (size_t i = keep; i-- > 0;) {
    auto rec = parse_record(lines[i].bytes);
    if (rec && (*rec)["record"] == "checkpoint") break;
    ++m_since_checkpoint;
  }
  m_bytes.store(total);

  GW_TRY(file, m_fs.open_append(last.path));
  m_file = std::move(file);
  m_seg_first = last.first_seq;
  m_seg_size = good_size;
  // Every whole record left on disk counts as durable from now on (the forwarder may ship it at
  // once): a record written but not yet synced when the previous process died is synced here.
  GW_CHECK(m_file->sync());
  m_durable_seq.store(m_next_seq - 1);

  if (m_recovery.repaired) {
    m_recovery.message = "recovered from an interrupted write: removed " +
                         std::to_string(m_recovery.removed_lines) + " incomplete record(s) (" +
                         std::to_string(m_recovery.removed_bytes) + " bytes) at the end of " +
                         last.path.string() + "; the chain continues at seq " +
                         std::to_string(m_next_seq);
    log::write(log::Level::warn, "audit spool repaired", {{"detail", m_recovery.message}});
    // Leave the repair itself on the record for auditors (written with the first batch).
    m_pending.push_back(Pending{make_notice(EventKind::alarm, m_recovery.message), false});
    m_open_batch->count++;
  }
  return {};
}

Status Spool::write_cursor_locked() {
  json j = {{"acked_seq", m_acked.load()},
            {"pruned_through", m_pruned_through},
            {"pruned_hash", m_pruned_hash}};
  return m_fs.write_atomic(ship_cursor_path(m_opts.dir), j.dump() + "\n");
}

Status Spool::set_acked_seq(uint64_t seq) {
  std::lock_guard lk(m_cursor_mu);
  if (seq <= m_acked.load()) return {};
  uint64_t old = m_acked.exchange(seq);
  if (auto st = write_cursor_locked(); !st) {
    m_acked.store(old);
    return st;
  }
  if (m_opts.on_full == FullPolicy::prune_shipped && m_bytes.load() > m_opts.max_bytes)
    prune_shipped_locked();
  return {};
}

void Spool::prune_shipped() {
  std::lock_guard lk(m_cursor_mu);
  prune_shipped_locked();
}

// Deletes whole acknowledged segments (oldest first) until under the cap. Safe to run beside the
// writer: it never touches the newest segment, and the writer never goes back to older ones.
void Spool::prune_shipped_locked() {
  auto segs = list_segments(m_opts.dir);
  std::vector<SegmentInfo> doomed;
  uint64_t bytes = m_bytes.load(), through = m_pruned_through;
  std::string hash = m_pruned_hash;
  // Never the newest segment (the writer appends to it); only segments wholly acknowledged.
  for (size_t i = 0; i + 1 < segs.size() && bytes > m_opts.max_bytes; ++i) {
    uint64_t last_seq = segs[i + 1].first_seq - 1;
    if (last_seq > m_acked.load()) break;
    auto lines = read_segment_lines(segs[i].path);
    if (!lines || lines->empty()) break;
    doomed.push_back(segs[i]);
    bytes -= segs[i].size;
    through = last_seq;
    hash = record_hash(lines->back().bytes);
  }
  if (doomed.empty()) return;
  // The anchor is persisted before any file goes, so verify never sees an unexplained hole.
  std::swap(through, m_pruned_through);
  std::swap(hash, m_pruned_hash);
  if (auto st = write_cursor_locked(); !st) {
    std::swap(through, m_pruned_through);
    std::swap(hash, m_pruned_hash);
    log::write(log::Level::warn, "audit ship cursor not written", {{"error", st.error().message}});
    return;
  }
  for (const auto& seg : doomed) {
    std::error_code ec;
    if (fs::remove(seg.path, ec)) m_bytes -= seg.size;
  }
}

}  // namespace gw::audit
