#pragma once
// Helpers shared by the audit unit tests: an in-memory key store, sample events, file fakes.
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "core/audit/device_key.hpp"
#include "core/audit/event.hpp"
#include "core/audit/file_io.hpp"
#include "core/audit/segments.hpp"

namespace gw::audit::test {

class MemoryKeyStore final : public DeviceKeyStore {
public:
  MemoryKeyStore() : m_key(DeviceKey::generate()) {}
  Result<DeviceKey> load_or_create() override { return m_key; }
  Result<DeviceKey> load_public() override { return DeviceKey::from_public(m_key.public_raw()); }
  const DeviceKey& key() const { return m_key; }

private:
  DeviceKey m_key;
};

inline AuditEvent sample_event(EventKind kind = EventKind::admitted, std::string model = "claude-sonnet-4-5") {
  AuditEvent ev;
  ev.kind = kind;
  ev.request_id = "req-1";
  ev.user = "alice@example.com";
  ev.virtual_key_id = "vk_alice";
  ev.team = "platform";
  ev.agent = "claude-code";
  ev.agent_session_id = "sess-42";
  ev.provider = "anthropic";
  ev.model = std::move(model);
  ev.endpoint = "POST /v1/messages";
  ev.streamed = true;
  ev.decision = Decision::allowed;
  ev.policy_version = "p-7";
  return ev;
}

inline std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
inline void write_all(const std::filesystem::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}
// All lines of the (single) newest segment.
inline std::vector<std::string> segment_lines(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& seg : list_segments(dir)) {
    std::istringstream in(read_all(seg.path));
    for (std::string line; std::getline(in, line);) out.push_back(line);
  }
  return out;
}
inline void write_lines(const std::filesystem::path& file, const std::vector<std::string>& lines) {
  std::string data;
  for (const auto& l : lines) data += l + "\n";
  write_all(file, data);
}

// A file system over the real one whose writes can be made to fail (disk full) after writing a
// prefix, and whose sync can be held at a gate (to make group commit observable).
class FaultyFileSystem final : public FileSystem {
public:
  std::atomic<bool> full{false};
  std::atomic<int> syncs{0};

  // Gate: when armed, the next sync() announces itself and waits until release().
  void arm_gate() {
    std::lock_guard lk(m_mu);
    m_gate_armed = true;
    m_in_gate = false;
  }
  void wait_until_in_gate() {
    std::unique_lock lk(m_mu);
    m_cv.wait(lk, [&] { return m_in_gate; });
  }
  void release() {
    std::lock_guard lk(m_mu);
    m_gate_armed = false;
    m_cv.notify_all();
  }

  Result<std::unique_ptr<AppendFile>> open_append(const std::filesystem::path& path) override {
    GW_TRY(inner, m_real.open_append(path));
    return std::make_unique<File>(std::move(inner), *this);
  }
  Status sync_dir(const std::filesystem::path& dir) override { return m_real.sync_dir(dir); }
  Status write_atomic(const std::filesystem::path& path, std::string_view data) override {
    if (full) return fail(Errc::io, "cannot write " + path.string() + ": No space left on device");
    return m_real.write_atomic(path, data);
  }

private:
  class File final : public AppendFile {
  public:
    File(std::unique_ptr<AppendFile> inner, FaultyFileSystem& fs) : m_inner(std::move(inner)), m_fs(fs) {}
    Status append(std::string_view bytes) override {
      if (m_fs.full) {  // a realistic ENOSPC: part of the data lands, then the write fails
        (void)m_inner->append(bytes.substr(0, bytes.size() / 2));
        return fail(Errc::io, "cannot write segment: No space left on device");
      }
      return m_inner->append(bytes);
    }
    Status sync() override {
      {
        std::unique_lock lk(m_fs.m_mu);
        if (m_fs.m_gate_armed) {
          m_fs.m_in_gate = true;
          m_fs.m_cv.notify_all();
          m_fs.m_cv.wait(lk, [&] { return !m_fs.m_gate_armed; });
        }
      }
      ++m_fs.syncs;
      return m_inner->sync();
    }
    Status truncate(uint64_t size) override { return m_inner->truncate(size); }

  private:
    std::unique_ptr<AppendFile> m_inner;
    FaultyFileSystem& m_fs;
  };

  PosixFileSystem m_real;
  std::mutex m_mu;
  std::condition_variable m_cv;
  bool m_gate_armed = false;
  bool m_in_gate = false;
};

}  // namespace gw::audit::test
