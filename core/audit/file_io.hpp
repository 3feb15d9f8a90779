#pragma once
// The file operations the spool needs, behind an interface so tests can inject failures (disk
// full, unwritable directory) and the spool must prove it corrupts nothing.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "core/common/result.hpp"

namespace gw::audit {

// An open file that is only appended to. Used by the spool's single writer thread only.
class AppendFile {
public:
  virtual ~AppendFile() = default;
  // Writes all of bytes at the end. On error some prefix may have been written: the caller
  // truncates back to the size it knew to be good.
  virtual Status append(std::string_view bytes) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status sync() = 0;
  // Cuts the file to `size` bytes (used to undo a partial append).
  virtual Status truncate(uint64_t size) = 0;
};

class FileSystem {
public:
  virtual ~FileSystem() = default;
  // Opens (creating with mode 0600 if absent) a file for appending.
  virtual Result<std::unique_ptr<AppendFile>> open_append(const std::filesystem::path& path) = 0;
  // fsyncs a directory so a newly created file's name is durable.
  virtual Status sync_dir(const std::filesystem::path& dir) = 0;
  // Replaces `path` with `data` atomically (temp file, fsync, rename).
  virtual Status write_atomic(const std::filesystem::path& path, std::string_view data) = 0;
};

// The real POSIX implementation.
class PosixFileSystem final : public FileSystem {
public:
  Result<std::unique_ptr<AppendFile>> open_append(const std::filesystem::path& path) override;
  Status sync_dir(const std::filesystem::path& dir) override;
  Status write_atomic(const std::filesystem::path& path, std::string_view data) override;
};

}  // namespace gw::audit
