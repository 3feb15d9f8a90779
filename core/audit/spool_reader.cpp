#include "core/audit/spool_reader.hpp"

#include <charconv>
#include <fstream>

#include "core/audit/record.hpp"
#include "core/audit/segments.hpp"

namespace gw::audit {
namespace fs = std::filesystem;

uint64_t line_seq(const std::string& line) {
  // Canonical records hold exactly one top-level "seq" key, and no nested object has one; a
  // string value containing "seq": would be escaped (\"seq\":), so the first match is the key.
  size_t at = line.find("\"seq\":");
  if (at != std::string::npos) {
    const char* p = line.data() + at + 6;
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(p, line.data() + line.size(), v);
    if (ec == std::errc() && (*end == ',' || *end == '}')) return v;
  }
  auto rec = parse_record(line);
  return rec ? (*rec)["seq"].get<uint64_t>() : 0;
}

SpoolSlice SpoolReader::read(uint64_t from, uint64_t through, size_t max_records, size_t max_bytes) {
  SpoolSlice out;
  if (from > through) return out;
  auto segs = list_segments(m_dir);
  if (segs.empty()) return out;
  // The segment holding `from`: the last one starting at or before it (or the oldest).
  size_t k = 0;
  for (size_t i = 0; i < segs.size(); ++i)
    if (segs[i].first_seq <= from) k = i;
  bool resume = m_file == segs[k].path && m_next_seq == from;
  size_t bytes = 0;
  for (size_t i = k; i < segs.size(); ++i) {
    std::ifstream in(segs[i].path, std::ios::binary);
    if (!in) break;
    uint64_t offset = 0;
    if (i == k && resume) {
      in.seekg(static_cast<std::streamoff>(m_offset));
      offset = m_offset;
    }
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) return out;  // no newline yet: the writer is mid-append (or a torn tail)
      uint64_t line_start = offset;
      offset += line.size() + 1;
      uint64_t seq = line_seq(line);
      if (seq == 0 || seq < from || (!out.lines.empty() && seq <= out.last_seq)) continue;
      if (seq > through || out.lines.size() >= max_records || (bytes + line.size() > max_bytes && !out.lines.empty())) {
        m_file = segs[i].path;
        m_offset = line_start;
        m_next_seq = seq;
        return out;
      }
      if (out.lines.empty()) out.first_seq = seq;
      out.last_seq = seq;
      bytes += line.size();
      out.lines.push_back(std::move(line));
      m_file = segs[i].path;
      m_offset = offset;
      m_next_seq = seq + 1;
    }
  }
  return out;
}

}  // namespace gw::audit
