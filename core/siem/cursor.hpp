#pragma once
// Where each sink remembers how far it has delivered: the feed position of the last event the
// destination accepted. Saved after every delivered batch, so after a restart a sink resends at
// most the one batch that was in flight (the at-least-once window; see docs/adr/0023).
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/common/result.hpp"

namespace gw::siem {

class CursorStore {
public:
  virtual ~CursorStore() = default;
  // The saved position of sink `name`; 0 when it never saved one (start from the beginning).
  virtual Result<uint64_t> load(const std::string& name) = 0;
  // Durably records `position` for `name` (done when it returns ok). Called from that sink's
  // thread only; different names may be saved concurrently.
  virtual Status save(const std::string& name, uint64_t position) = 0;
};

// One small JSON file per sink, <dir>/<name>.cursor, replaced atomically (write a temp file,
// fdatasync, rename, fsync the directory), so a crash leaves either the old or the new position.
class FileCursorStore final : public CursorStore {
public:
  explicit FileCursorStore(std::filesystem::path dir) : m_dir(std::move(dir)) {}
  Result<uint64_t> load(const std::string& name) override;
  Status save(const std::string& name, uint64_t position) override;
  std::filesystem::path file(const std::string& name) const { return m_dir / (name + ".cursor"); }

private:
  std::filesystem::path m_dir;
};

}  // namespace gw::siem
