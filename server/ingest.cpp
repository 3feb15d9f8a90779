#include "server/ingest.hpp"

#include <nlohmann/json.hpp>

#include "core/audit/device_key.hpp"
#include "core/audit/record.hpp"
#include "core/common/ids.hpp"

namespace gw::server {
using nlohmann::json;

namespace {

struct Parsed {
  uint64_t seq = 0;
  std::string prev;
  std::string hash;
  std::string type;
  json record;
};

// A central event: shaped like an audit event (record "event", kind "alarm") so SIEM sinks read
// it like any other, with "source":"central" and no chain fields.
std::string alarm_json(const Clock& clock, const std::string& device_id, std::string_view alarm,
                       const std::string& reason, uint64_t epoch, uint64_t seq_from, uint64_t seq_to) {
  int64_t now = clock.now_ms();
  json j = {{"v", 1},          {"record", "event"}, {"kind", "alarm"},   {"id", uuid_v7(now)},
            {"time_ms", now},  {"device_id", device_id}, {"source", "central"}, {"alarm", alarm},
            {"reason", reason}, {"epoch", epoch}};
  if (seq_from) j["seq_from"] = seq_from;
  if (seq_to) j["seq_to"] = seq_to;
  return j.dump();
}

Result<std::vector<Parsed>> check_records(const IngestBatch& batch) {
  std::vector<Parsed> out;
  out.reserve(batch.records.size());
  uint64_t last = 0;
  for (size_t i = 0; i < batch.records.size(); ++i) {
    const std::string& line = batch.records[i];
    std::string where = "records[" + std::to_string(i) + "]";
    if (line.find('\n') != std::string::npos)
      return fail(Errc::invalid_argument, where + ": a record is one line; it contains a newline");
    auto rec = audit::parse_record(line);
    if (!rec) return fail(Errc::invalid_argument, where + ": not an audit record: " + rec.error().message);
    Parsed p;
    p.seq = (*rec)["seq"].get<uint64_t>();
    p.prev = (*rec)["prev"].get<std::string>();
    p.type = (*rec)["record"].get<std::string>();
    if (auto d = rec->find("device_id"); d != rec->end() && (!d->is_string() || *d != batch.device_id))
      return fail(Errc::invalid_argument, where + " (seq " + std::to_string(p.seq) + ") names device " + d->dump() +
                                              ", but the batch is from " + batch.device_id);
    if (p.seq <= last)
      return fail(Errc::invalid_argument, where + ": seq " + std::to_string(p.seq) + " after seq " +
                                              std::to_string(last) + "; records must be in increasing seq order");
    last = p.seq;
    p.hash = audit::record_hash(line);
    p.record = std::move(*rec);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::string unhex(std::string_view hex) {
  std::string out;
  if (hex.size() % 2) return {};
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    int a = nib(hex[i]), b = nib(hex[i + 1]);
    if (a < 0 || b < 0) return {};
    out.push_back(static_cast<char>(a * 16 + b));
  }
  return out;
}

Result<IngestBatch> parse_batch_body(std::string_view body, size_t max_records) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Errc::invalid_argument, "the body must be a JSON object");
  if (j.value("v", 0) != k_batch_version)
    return fail(Errc::invalid_argument, "\"v\" must be " + std::to_string(k_batch_version) +
                                            " (this server speaks batch version " + std::to_string(k_batch_version) + ")");
  IngestBatch b;
  auto dev = j.find("device_id");
  if (dev == j.end() || !dev->is_string() || dev->get<std::string>().empty() || dev->get<std::string>().size() > 128)
    return fail(Errc::invalid_argument, "\"device_id\" must be a non-empty string of at most 128 characters");
  b.device_id = *dev;
  auto key = j.find("public_key");
  if (key == j.end() || !key->is_string() || unhex(key->get<std::string>()).size() != 32)
    return fail(Errc::invalid_argument, "\"public_key\" must be the device's Ed25519 public key as 64 hex characters");
  b.public_key_hex = *key;
  auto recs = j.find("records");
  if (recs == j.end() || !recs->is_array()) return fail(Errc::invalid_argument, "\"records\" must be an array of strings");
  if (recs->size() > max_records)
    return fail(Errc::invalid_argument, "batch of " + std::to_string(recs->size()) + " records exceeds the limit of " +
                                            std::to_string(max_records) + "; send smaller batches");
  b.records.reserve(recs->size());
  for (size_t i = 0; i < recs->size(); ++i) {
    if (!(*recs)[i].is_string())
      return fail(Errc::invalid_argument, "records[" + std::to_string(i) + "] must be a string (one spool line)");
    b.records.push_back((*recs)[i].get<std::string>());
  }
  return b;
}

Result<IngestResult> ingest_batch(storage::AuditStore& store, const IngestBatch& batch, const Clock& clock) {
  GW_TRY(parsed, check_records(batch));
  auto trusted = audit::DeviceKey::from_public(unhex(batch.public_key_hex));
  if (!trusted) return fail(Errc::invalid_argument, "\"public_key\": " + trusted.error().message);
  IngestResult res;
  Status st = store.transact(batch.device_id, [&](storage::DeviceTxn& txn) -> Status {
    res = IngestResult{};
    GW_TRY(found, txn.device());
    int64_t now = clock.now_ms();
    storage::DeviceRow dev;
    if (found) {
      dev = *found;
    } else {
      dev.device_id = batch.device_id;
      dev.public_key_hex = batch.public_key_hex;
      dev.enrollment_id = batch.enrollment_id;
      dev.first_seen_ms = now;
    }
    dev.last_seen_ms = now;
    auto alarm = [&](std::string_view kind, const std::string& reason, uint64_t from, uint64_t to) -> Status {
      res.alarms.emplace_back(kind);
      ++dev.alarms;
      return txn.insert_event(alarm_json(clock, dev.device_id, kind, reason, dev.epoch, from, to));
    };
    if (dev.public_key_hex != batch.public_key_hex) {
      res.rejected = "device " + dev.device_id + " is bound to another key (" +
                     dev.public_key_hex.substr(0, 16) + "...); this batch was signed by " +
                     batch.public_key_hex.substr(0, 16) + "...";
      GW_CHECK(alarm("key_mismatch", res.rejected + "; batch refused", 0, 0));
      GW_CHECK(txn.put_device(dev));
      res.acked_seq = dev.head_seq;
      res.epoch = dev.epoch;
      return {};
    }
    for (const Parsed& p : parsed) {
      if (p.seq <= dev.head_seq) {
        GW_TRY(existing, txn.stored_hash(dev.epoch, p.seq));
        if (existing && *existing == p.hash) {
          ++res.duplicates;
          continue;
        }
        if (!existing) {  // a record an earlier gap alarm declared missing, arriving late
          GW_CHECK(txn.insert_record(dev.epoch, {p.seq, p.hash, p.type, batch.records[&p - parsed.data()]}));
          ++res.stored;
          ++dev.records;
          continue;
        }
        if (p.seq == 1 && p.prev == audit::k_genesis_prev) {
          GW_CHECK(alarm("reset",
                         "the device's audit chain restarted at seq 1 after " + std::to_string(dev.head_seq) +
                             " records (spool deleted or reinstalled); epoch " + std::to_string(dev.epoch) +
                             " is kept, epoch " + std::to_string(dev.epoch + 1) + " begins",
                         1, dev.head_seq));
          ++dev.epoch;
          dev.head_seq = 0;
          dev.head_hash.clear();
        } else {
          GW_CHECK(alarm("fork",
                         "seq " + std::to_string(p.seq) + " arrived with hash " + p.hash.substr(0, 16) +
                             "... but a different record is stored for it (" + existing->substr(0, 16) +
                             "...): the device's spool was edited after shipping, or two devices share its id",
                         p.seq, p.seq));
          continue;
        }
      }
      if (p.seq > dev.head_seq + 1) {
        GW_CHECK(alarm("gap",
                       "records " + std::to_string(dev.head_seq + 1) + ".." + std::to_string(p.seq - 1) +
                           " of the device never arrived; the next record received is seq " + std::to_string(p.seq),
                       dev.head_seq + 1, p.seq - 1));
      } else {
        const std::string& expect = dev.head_seq == 0 ? std::string(audit::k_genesis_prev) : dev.head_hash;
        if (!expect.empty() && p.prev != expect)
          GW_CHECK(alarm("fork",
                         "seq " + std::to_string(p.seq) + " does not link to the stored record before it (prev " +
                             p.prev.substr(0, 16) + "..., expected " + expect.substr(0, 16) + "...): chain broken",
                         p.seq, p.seq));
      }
      if (p.type == "checkpoint") {
        std::string problem = audit::checkpoint_problem(p.record, *trusted);
        if (!problem.empty())
          GW_CHECK(alarm("forged_checkpoint", "checkpoint seq " + std::to_string(p.seq) + ": " + problem, p.seq, p.seq));
      }
      GW_CHECK(txn.insert_record(dev.epoch, {p.seq, p.hash, p.type, batch.records[&p - parsed.data()]}));
      ++res.stored;
      ++dev.records;
      dev.head_seq = p.seq;
      dev.head_hash = p.hash;
    }
    GW_CHECK(txn.put_device(dev));
    res.acked_seq = dev.head_seq;
    res.epoch = dev.epoch;
    return {};
  });
  if (!st) return std::unexpected(st.error());
  return res;
}

}  // namespace gw::server
