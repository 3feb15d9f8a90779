#pragma once
// A real `gw serve` process for integration tests: temp dir with server.toml, SQLite store and
// one enrollment token; listens on 127.0.0.1 port 0 (or a given port, to restart "the same"
// central after an outage). The store can be opened from the test to check what arrived.
#include <filesystem>
#include <memory>
#include <string>

#include "core/storage/sqlite_audit_store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::test {

inline constexpr const char* k_enrollment_token = "gw-enroll-test-token-0123456789";

class Central {
public:
  // Writes server.toml (plus `extra_toml`, e.g. [[siem]] tables) into a fresh temp dir and
  // starts `gw serve` (port 0).
  explicit Central(const std::string& extra_toml = "");
  ~Central();
  // Starts (again) on `port` (0: any free port, else the previous one); waits until serving.
  void start(int port = -1);
  void stop();  // SIGTERM, waits for a clean exit
  void kill();  // SIGKILL
  int port() const { return m_port; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  const std::filesystem::path& dir() const { return m_dir.path(); }
  std::filesystem::path db_path() const { return m_dir.path() / "central.db"; }
  Process& process() { return *m_process; }
  // Opens the store (a second connection; fine while the server runs, WAL).
  std::unique_ptr<storage::SqliteAuditStore> open_store() const;
  // Writes <config_dir>/central.toml and central.token so a sidecar there ships to this central.
  void enroll(const std::filesystem::path& config_dir) const;

private:
  TempDir m_dir{"gw-central"};
  std::unique_ptr<Process> m_process;
  int m_port = 0;
};

}  // namespace gw::test
