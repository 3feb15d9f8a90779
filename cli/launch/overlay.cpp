#include "cli/launch/overlay.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "core/common/paths.hpp"

namespace fs = std::filesystem;

namespace gw::launch {

namespace {

bool pid_alive(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// Parses `<tag>-<pid>-<random>` and returns pid, or -1.
long overlay_owner(const std::string& name) {
  auto last = name.rfind('-');
  if (last == std::string::npos || last == 0) return -1;
  auto prev = name.rfind('-', last - 1);
  if (prev == std::string::npos) return -1;
  std::string digits = name.substr(prev + 1, last - prev - 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stol(digits);
}

}  // namespace

Result<HomeOverlay> HomeOverlay::create(const fs::path& parent, const std::string& tag,
                                        const fs::path& sub, const fs::path& real_dir,
                                        std::set<std::string> excluded) {
  GW_CHECK(ensure_private_dir(parent));
  std::string templ = (parent / (tag + "-" + std::to_string(::getpid()) + "-XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr) {
    return fail(Errc::io, "cannot create a temporary directory in " + parent.string() + ": " +
                              std::strerror(errno));
  }
  HomeOverlay ov;
  ov.m_root = templ;
  ov.m_sub = sub;
  ov.m_real = real_dir;
  ov.m_excluded = std::move(excluded);
  ov.m_done = false;
  std::error_code ec;
  fs::create_directories(ov.dir(), ec);
  if (ec) return fail(Errc::io, "cannot create " + ov.dir().string() + ": " + ec.message());
  ::chmod(ov.dir().c_str(), 0700);
  if (fs::is_directory(real_dir, ec)) {
    for (const auto& entry : fs::directory_iterator(real_dir, ec)) {
      std::string name = entry.path().filename().string();
      if (ov.m_excluded.contains(name)) continue;
      fs::create_symlink(entry.path(), ov.dir() / name, ec);
      if (ec) {
        return fail(Errc::io, "cannot link " + entry.path().string() + " into the overlay: " +
                                  ec.message());
      }
    }
  }
  return ov;
}

HomeOverlay::HomeOverlay(HomeOverlay&& o) noexcept
    : m_root(std::move(o.m_root)),
      m_sub(std::move(o.m_sub)),
      m_real(std::move(o.m_real)),
      m_excluded(std::move(o.m_excluded)),
      m_done(o.m_done) {
  o.m_done = true;
}

HomeOverlay& HomeOverlay::operator=(HomeOverlay&& o) noexcept {
  if (this != &o) {
    if (!m_done) finish();
    m_root = std::move(o.m_root);
    m_sub = std::move(o.m_sub);
    m_real = std::move(o.m_real);
    m_excluded = std::move(o.m_excluded);
    m_done = o.m_done;
    o.m_done = true;
  }
  return *this;
}

HomeOverlay::~HomeOverlay() {
  if (!m_done) {
    std::error_code ec;
    fs::remove_all(m_root, ec);
  }
}

Status HomeOverlay::write_file(const std::string& name, const std::string& content) const {
  fs::path p = dir() / name;
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail(Errc::io, "cannot write " + p.string() + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return fail(Errc::io, "cannot write " + p.string() + ": " + std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return fail(Errc::io, "cannot write " + p.string());
  return {};
}

std::set<std::string> HomeOverlay::finish() {
  std::set<std::string> left;
  if (m_done) return left;
  m_done = true;
  std::error_code ec;
  std::vector<fs::path> fresh;
  for (const auto& entry : fs::directory_iterator(dir(), ec)) {
    std::string name = entry.path().filename().string();
    if (m_excluded.contains(name) || entry.is_symlink(ec)) continue;
    fresh.push_back(entry.path());
  }
  bool have_real = fs::is_directory(m_real, ec);
  if (!fresh.empty() && !have_real) {
    // The agent would have created its directory itself on a direct run.
    have_real = fs::create_directories(m_real, ec) && ::chmod(m_real.c_str(), 0700) == 0;
  }
  if (!fresh.empty() && have_real) {
    for (const auto& p : fresh) {
      fs::path target = m_real / p.filename();
      if (fs::symlink_status(target, ec).type() != fs::file_type::not_found) {
        left.insert(p.filename().string());
        continue;
      }
      fs::rename(p, target, ec);
      if (ec) {  // another filesystem: copy, then the overlay is removed below
        ec.clear();
        fs::copy(p, target, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
        if (ec) left.insert(p.filename().string());
      }
    }
  } else {
    for (const auto& p : fresh) left.insert(p.filename().string());
  }
  fs::remove_all(m_root, ec);
  return left;
}

void sweep_stale_overlays(const fs::path& parent) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    std::string name = entry.path().filename().string();
    long pid = overlay_owner(name);
    if (pid < 0 || pid_alive(pid)) continue;
    fs::remove_all(entry.path(), ec);
  }
}

}  // namespace gw::launch
