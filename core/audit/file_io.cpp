#include "core/audit/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gw::audit {
namespace fs = std::filesystem;

namespace {
Error os_error(const std::string& what, const fs::path& p, int err) {
  return Error{Errc::io, what + " " + p.string() + ": " + std::strerror(err)};
}

class PosixAppendFile final : public AppendFile {
public:
  PosixAppendFile(int fd, fs::path path) : m_fd(fd), m_path(std::move(path)) {}
  ~PosixAppendFile() override { ::close(m_fd); }

  Status append(std::string_view bytes) override {
    while (!bytes.empty()) {
      ssize_t n = ::write(m_fd, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return std::unexpected(os_error("cannot write", m_path, errno));
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return {};
  }
  Status sync() override {
    if (::fdatasync(m_fd) != 0) return std::unexpected(os_error("cannot sync", m_path, errno));
    return {};
  }
  Status truncate(uint64_t size) override {
    if (::ftruncate(m_fd, static_cast<off_t>(size)) != 0)
      return std::unexpected(os_error("cannot truncate", m_path, errno));
    return {};
  }

private:
  int m_fd;
  fs::path m_path;
};
}  // namespace

Result<std::unique_ptr<AppendFile>> PosixFileSystem::open_append(const fs::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(os_error("cannot open", path, errno));
  return std::make_unique<PosixAppendFile>(fd, path);
}

Status PosixFileSystem::sync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(os_error("cannot open directory", dir, errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return std::unexpected(os_error("cannot sync directory", dir, err));
  return {};
}

Status PosixFileSystem::write_atomic(const fs::path& path, std::string_view data) {
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(os_error("cannot create", tmp, errno));
  PosixAppendFile f(fd, tmp);
  GW_CHECK(f.append(data));
  GW_CHECK(f.sync());
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return std::unexpected(os_error("cannot rename onto", path, errno));
  return {};
}

}  // namespace gw::audit
