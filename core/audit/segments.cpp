#include "core/audit/segments.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace gw::audit {
namespace fs = std::filesystem;

fs::path segment_path(const fs::path& dir, uint64_t first_seq) {
  char name[48];
  std::snprintf(name, sizeof name, "seg-%020llu.jsonl", static_cast<unsigned long long>(first_seq));
  return dir / name;
}
fs::path checkpoint_mirror_path(const fs::path& dir) { return dir / "checkpoint.json"; }
fs::path ship_cursor_path(const fs::path& dir) { return dir / "ship_cursor.json"; }

std::vector<SegmentInfo> list_segments(const fs::path& dir) {
  std::vector<SegmentInfo> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() != 30 || name.rfind("seg-", 0) != 0 || name.substr(24) != ".jsonl") continue;
    std::string digits = name.substr(4, 20);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    std::error_code size_ec;
    uint64_t size = entry.file_size(size_ec);
    out.push_back({entry.path(), std::stoull(digits), size_ec ? 0 : size});
  }
  std::sort(out.begin(), out.end(),
            [](const SegmentInfo& a, const SegmentInfo& b) { return a.first_seq < b.first_seq; });
  return out;
}

Result<std::vector<RawLine>> read_segment_lines(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(Errc::io, "cannot read " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  std::vector<RawLine> out;
  size_t pos = 0, line_no = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    RawLine line;
    line.file = file;
    line.line_no = ++line_no;
    line.offset = pos;
    if (nl == std::string::npos) {
      line.bytes = data.substr(pos);
      line.complete = false;
      pos = data.size();
    } else {
      line.bytes = data.substr(pos, nl - pos);
      pos = nl + 1;
    }
    out.push_back(std::move(line));
  }
  return out;
}

Status for_each_line(const fs::path& dir, const std::function<bool(const RawLine&)>& visit) {
  for (const auto& seg : list_segments(dir)) {
    GW_TRY(lines, read_segment_lines(seg.path));
    for (const auto& line : lines)
      if (!visit(line)) return {};
  }
  return {};
}

}  // namespace gw::audit
