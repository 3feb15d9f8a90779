#pragma once
// Audit ingest: one batch of a device's spool records in, the device's chain checked and stored
// exactly once, the acknowledgement out. Storage-agnostic (runs inside one AuditStore::transact).
//
// Per record, in seq order, against the device's stored head (epoch, head_seq, head_hash):
//   - already stored with the same hash          -> duplicate, skipped (at-least-once delivery)
//   - already stored with another hash           -> "fork" alarm, dropped; except seq 1 with the
//     genesis prev, which is a "reset" alarm: the device's chain restarted, a new epoch begins and
//     the old chain stays stored
//   - head_seq + 1 whose prev is not head_hash   -> stored, "fork" alarm (chain broken)
//   - beyond head_seq + 1                        -> stored, "gap" alarm naming the missing seqs
//     (they are accounted for by the alarm, so the acknowledgement moves past them; a missing
//     record that arrives later is still stored)
//   - a checkpoint whose signature does not verify with the device key -> stored, alarm
// The acknowledgement is head_seq: every seq up to it is stored or named by an alarm.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/storage/audit_store.hpp"

namespace gw::server {

inline constexpr int k_batch_version = 1;

// A parsed, authenticated request body.
struct IngestBatch {
  std::string device_id;
  std::string public_key_hex;  // 64 hex chars (raw Ed25519 public key)
  std::string enrollment_id;   // the enrollment token that authenticated the request
  std::vector<std::string> records;  // exact spool lines, in seq order
};

struct IngestResult {
  uint64_t acked_seq = 0;
  uint64_t epoch = 0;
  size_t stored = 0;
  size_t duplicates = 0;
  std::vector<std::string> alarms;  // "gap", "fork", "reset", "forged_checkpoint", "key_mismatch"
  std::string rejected;             // non-empty: the batch was refused (key mismatch); alarm stored
};

// Parses the JSON body {"v":1,"device_id":..., "public_key":hex, "records":[line...]}.
// Errors (invalid_argument) name the field and what is wrong.
Result<IngestBatch> parse_batch_body(std::string_view body, size_t max_records);

// Checks every record's shape (JSON, seq, prev, device id, seq strictly increasing), then stores
// the batch in one transaction. invalid_argument errors name the record; io errors are the store's.
Result<IngestResult> ingest_batch(storage::AuditStore& store, const IngestBatch& batch, const Clock& clock);

// Lowercase hex -> bytes; empty on invalid input.
std::string unhex(std::string_view hex);

}  // namespace gw::server
