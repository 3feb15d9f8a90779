#pragma once
// Builds a device's audit chain (exact spool lines) for ingest tests, without a spool.
#include <string>
#include <vector>

#include "core/audit/device_key.hpp"
#include "core/audit/event.hpp"
#include "core/audit/record.hpp"
#include "core/common/crypto.hpp"
#include "server/ingest.hpp"

namespace gw::test {

class ChainBuilder {
public:
  explicit ChainBuilder(std::string device_id = "dev-a", audit::DeviceKey key = audit::DeviceKey::generate())
      : m_device(std::move(device_id)), m_key(std::move(key)) {}
  // Appends an event record (or a signed checkpoint) and returns its line.
  std::string event(const std::string& model = "claude-sonnet-4-5") {
    audit::AuditEvent ev;
    ev.seq = ++m_seq;
    ev.prev = m_prev;
    ev.id = "id-" + std::to_string(m_seq) + "-" + m_nonce;  // distinct histories differ
    ev.kind = audit::EventKind::completed;
    ev.time_ms = 1700000000000 + static_cast<int64_t>(m_seq);
    ev.device_id = m_device;
    ev.model = model;
    ev.gw_version = "test";
    return push(audit::serialize_event(ev));
  }
  std::string checkpoint(const audit::DeviceKey* signer = nullptr) {
    ++m_seq;
    auto line = audit::make_checkpoint_line(m_seq, m_prev, 1700000000000, m_device, signer ? *signer : m_key);
    return push(*line);
  }
  std::vector<std::string> events(size_t n) {
    std::vector<std::string> out;
    for (size_t i = 0; i < n; ++i) out.push_back(event());
    return out;
  }
  server::IngestBatch batch(std::vector<std::string> records) const {
    return server::IngestBatch{m_device, to_hex(m_key.public_raw()), "laptops", std::move(records)};
  }
  const audit::DeviceKey& key() const { return m_key; }
  uint64_t seq() const { return m_seq; }

private:
  std::string push(std::string line) {
    m_prev = audit::record_hash(line);
    return line;
  }
  std::string m_device;
  audit::DeviceKey m_key;
  std::string m_nonce = to_hex(random_bytes(6));
  uint64_t m_seq = 0;
  std::string m_prev{audit::k_genesis_prev};
};

}  // namespace gw::test
