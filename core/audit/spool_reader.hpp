#pragma once
// Sequential reading of a spool directory by seq, for the forwarder: remembers where the last
// read stopped (file and byte offset) so shipping costs O(new records), not a rescan per batch.
// Read-only; safe while the spool's writer appends (a line without its newline is not read yet).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gw::audit {

struct SpoolSlice {
  std::vector<std::string> lines;  // exact record bytes, in seq order
  uint64_t first_seq = 0;          // seq of lines.front() (0 when empty)
  uint64_t last_seq = 0;           // seq of lines.back()
};

class SpoolReader {
public:
  explicit SpoolReader(std::filesystem::path dir) : m_dir(std::move(dir)) {}
  // Complete records with seq in [from, through], in order, at most max_records and about
  // max_bytes. Records before the oldest segment (pruned) are skipped: the slice starts at the
  // first one still on disk. Lines whose seq cannot be read are skipped (the central gateway
  // then reports the gap).
  SpoolSlice read(uint64_t from, uint64_t through, size_t max_records, size_t max_bytes);

private:
  std::filesystem::path m_dir;
  std::filesystem::path m_file;  // where the next read may continue
  uint64_t m_offset = 0;
  uint64_t m_next_seq = 0;
};

// The "seq" of a canonical record line, or 0 when it has none.
uint64_t line_seq(const std::string& line);

}  // namespace gw::audit
