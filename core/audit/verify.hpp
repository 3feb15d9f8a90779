#pragma once
// Offline verification of a spool directory: the hash chain, the sequence, the checkpoint
// signatures and the tail against the mirrored latest checkpoint and the ship cursor. Each
// problem names the record (seq, file, line) and what is wrong with it. Read-only.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/audit/device_key.hpp"

namespace gw::audit {

enum class ProblemKind {
  malformed,          // a line is not a valid record (edited into garbage, or torn mid-file)
  modified,           // a record's bytes no longer match the hash its successor recorded
  deleted,            // sequence numbers are missing
  reordered,          // a record appears after one with a higher sequence number
  duplicated,         // the same sequence number appears twice
  truncated,          // records are missing at the end (or the last one is incomplete)
  forged_checkpoint,  // a checkpoint's signature does not verify with the device key
};
std::string_view to_string(ProblemKind kind);

struct Problem {
  ProblemKind kind;
  uint64_t seq = 0;  // 0 when unknown (malformed line)
  std::filesystem::path file;
  size_t line = 0;
  std::string message;  // one sentence a person can act on
};

struct VerifyReport {
  uint64_t records = 0;
  uint64_t checkpoints = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint64_t last_signed_seq = 0;  // seq of the last valid checkpoint (0: none)
  std::vector<Problem> problems;  // empty: intact
  std::vector<std::string> notes; // not failures (e.g. records not yet covered by a checkpoint)
  bool ok() const { return problems.empty(); }
};

// Verifies the spool at dir with the device's trusted public key.
VerifyReport verify_spool(const std::filesystem::path& dir, const DeviceKey& trusted);

}  // namespace gw::audit
