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

// Spend report: the `completed` events of every device, grouped. Time range on the event's
// time_ms: since inclusive, until exclusive (0: unbounded).
enum class SpendBy { key, team, model, day };
struct SpendQuery {
  SpendBy by = SpendBy::key;
  int64_t since_ms = 0;
  int64_t until_ms = 0;
};
struct SpendRow {
  std::string group;  // key id, team, model, or UTC day "YYYY-MM-DD"; "" when the event had none
  uint64_t requests = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cost_nano_usd = 0;
};

// Audit query over stored events (device events and central events; checkpoints are chain
// evidence and left out). Empty string filters and 0 times match everything. Results are in
// ingest order, strictly after position `after`, at most `limit`.
struct AuditQuery {
  int64_t since_ms = 0;   // event time_ms >= since_ms
  int64_t until_ms = 0;   // event time_ms < until_ms
  std::string device;     // device_id column
  std::string key;        // virtual_key_id
  std::string user;
  std::string kind;       // admitted | completed | denied | alarm | policy_change | gap | admin
  std::string decision;   // allowed | denied | redacted
  uint64_t after = 0;
  size_t limit = 100;
};
struct StoredEvent {
  uint64_t position = 0;  // ingest position (the SIEM feed's position)
  std::string device_id;
  uint64_t epoch = 0;
  std::optional<uint64_t> seq;  // none for central events
  std::string line;             // the stored JSON text, byte for byte
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
  // Reports for the Admin API (read-only, committed data).
  virtual Result<std::vector<SpendRow>> spend(const SpendQuery& query) = 0;
  virtual Result<std::vector<StoredEvent>> query_events(const AuditQuery& query) = 0;
};

}  // namespace gw::storage
