#pragma once
// The central audit store: what `gw serve` keeps of every device's audit chain, behind a small
// interface so that SQLite (one process, the default) and PostgreSQL (several replicas, later)
// can both hold it. The store knows rows, not audit semantics: the chain checks live in
// server/ingest.cpp and run inside one DeviceTxn, so whichever adapter serializes a device's
// transactions (SQLite: one writer; PostgreSQL: SELECT ... FOR UPDATE on the device row) keeps
// dedup and chain state correct.
//
// A device's records are keyed by (device_id, epoch, seq). The epoch starts at 0 and goes up when
// the device's chain restarts from seq 1 (a reset), so the old chain stays stored as evidence.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.hpp"
#include "core/siem/feed.hpp"

namespace gw::storage {

// One device as the central gateway knows it.
struct DeviceRow {
  std::string device_id;
  std::string public_key_hex;   // Ed25519, bound on first use (TOFU)
  std::string enrollment_id;    // which enrollment token bound it
  uint64_t epoch = 0;
  uint64_t head_seq = 0;        // highest seq processed in this epoch (stored or declared lost)
  std::string head_hash;        // hash of the record at head_seq ("" when that record is missing)
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  uint64_t records = 0;         // records stored, all epochs
  uint64_t alarms = 0;
};

// One record of a device's chain, stored byte for byte.
struct RecordRow {
  uint64_t seq = 0;
  std::string hash;   // lowercase hex sha256 of `line`
  std::string type;   // "event" | "checkpoint"
  std::string line;   // the exact record bytes the device hashed
};

// One device's state inside one write transaction. Only valid inside AuditStore::transact.
class DeviceTxn {
public:
  virtual ~DeviceTxn() = default;
  // The device row, or nullopt for a device never seen.
  virtual Result<std::optional<DeviceRow>> device() = 0;
  virtual Status put_device(const DeviceRow& row) = 0;
  // The stored hash of (epoch, seq), or nullopt when no such record is stored.
  virtual Result<std::optional<std::string>> stored_hash(uint64_t epoch, uint64_t seq) = 0;
  virtual Status insert_record(uint64_t epoch, const RecordRow& row) = 0;
  // An alarm or other central event (canonical JSON object text); appears in the feed.
  virtual Status insert_event(const std::string& json) = 0;
};

class AuditStore : public siem::EventFeed {
public:
  // Runs fn in one write transaction over device_id's rows: committed when fn succeeds, rolled
  // back when it fails (its error is returned). Transactions of one device never interleave.
  virtual Status transact(const std::string& device_id, const std::function<Status(DeviceTxn&)>& fn) = 0;
  // Read-only views (status, tests, admin later).
  virtual Result<std::optional<DeviceRow>> find_device(const std::string& device_id) = 0;
  virtual Result<std::vector<DeviceRow>> devices() = 0;
  // Stored records of one device and epoch with seq in [from, to], in seq order.
  virtual Result<std::vector<RecordRow>> records(const std::string& device_id, uint64_t epoch,
                                                 uint64_t from, uint64_t to) = 0;
  // Counts for health/status: stored records and central events (alarms).
  virtual Result<uint64_t> count_records() = 0;
};

}  // namespace gw::storage
