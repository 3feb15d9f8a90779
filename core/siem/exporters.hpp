#pragma once
// The central gateway's SIEM export: one SinkRunner (thread + cursor) per configured sink, all
// reading the same EventFeed. Built once from the decoded [[siem]] config; `gw serve` starts it
// after the audit store is open and stops it before closing the store.
#include <filesystem>
#include <memory>
#include <vector>

#include "core/siem/config.hpp"
#include "core/siem/cursor.hpp"
#include "core/siem/runner.hpp"

namespace gw::siem {

class SiemExporters {
public:
  // Builds every sink (resolving tokens and header values; fails naming the sink) with cursors
  // in <state_dir>/siem/<name>.cursor. Nothing runs until start().
  static Result<std::unique_ptr<SiemExporters>> create(const SiemConfig& cfg, EventFeed& feed,
                                                       const std::filesystem::path& state_dir);
  // Same, with a caller-provided cursor store (tests, or cursors kept in the central database).
  static Result<std::unique_ptr<SiemExporters>> create(const SiemConfig& cfg, EventFeed& feed,
                                                       std::unique_ptr<CursorStore> cursors);
  ~SiemExporters();

  // Starts every runner. Fails when a cursor cannot be read; runners started so far are stopped.
  Status start();
  void stop();
  std::vector<SinkStatus> status() const;
  size_t size() const { return m_runners.size(); }
  // Waits until sink `name` delivered through `position`; false on timeout or unknown name.
  bool wait_for_cursor(const std::string& name, uint64_t position, std::chrono::milliseconds timeout) const;

private:
  SiemExporters() = default;
  std::unique_ptr<CursorStore> m_cursors;
  std::vector<std::unique_ptr<SinkRunner>> m_runners;
};

}  // namespace gw::siem
