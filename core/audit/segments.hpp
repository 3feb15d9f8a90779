#pragma once
// On-disk layout of a spool directory, and reading it back (for recovery, verify, the CLI and
// the forwarder):
//   <dir>/seg-<first seq, 20 digits>.jsonl   segments, one record per line, append-only
//   <dir>/checkpoint.json                    the latest signed checkpoint line (truncation check)
//   <dir>/ship_cursor.json                   {"acked_seq": N}: what the central gateway holds
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/common/result.hpp"

namespace gw::audit {

struct SegmentInfo {
  std::filesystem::path path;
  uint64_t first_seq = 0;  // from the file name
  uint64_t size = 0;
};

struct RawLine {
  std::filesystem::path file;
  size_t line_no = 0;    // 1-based within the file
  uint64_t offset = 0;   // byte offset of the line start within the file
  std::string bytes;     // without the newline
  bool complete = true;  // false for a last line with no newline (torn)
};

std::filesystem::path segment_path(const std::filesystem::path& dir, uint64_t first_seq);
std::filesystem::path checkpoint_mirror_path(const std::filesystem::path& dir);
std::filesystem::path ship_cursor_path(const std::filesystem::path& dir);

// Segments sorted by first seq. A missing directory gives an empty list.
std::vector<SegmentInfo> list_segments(const std::filesystem::path& dir);
// All lines of one segment file.
Result<std::vector<RawLine>> read_segment_lines(const std::filesystem::path& file);
// Calls visit for every line of every segment, in order, until it returns false.
Status for_each_line(const std::filesystem::path& dir, const std::function<bool(const RawLine&)>& visit);

}  // namespace gw::audit
