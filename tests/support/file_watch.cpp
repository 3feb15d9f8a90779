#include "tests/support/file_watch.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <stdexcept>

namespace gw::test {
namespace fs = std::filesystem;

namespace {

constexpr uint32_t k_mask = IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB | IN_DELETE;

// The folder to watch: the file's own, else its nearest ancestor that exists.
fs::path watch_dir(const fs::path& file) {
  fs::path dir = fs::absolute(file).parent_path();
  std::error_code ec;
  while (!dir.empty() && !fs::is_directory(dir, ec) && dir != dir.root_path()) dir = dir.parent_path();
  return dir;
}

}  // namespace

bool wait_for_file_change(const fs::path& file, const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) throw std::runtime_error("inotify_init1 failed");
  fs::path watched = watch_dir(file);
  // Watch before the first check: a write between the check and the watch would be missed.
  int wd = ::inotify_add_watch(fd, watched.c_str(), k_mask);
  bool ok = false;
  for (;;) {
    if (done()) {
      ok = true;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;  // timeout: checked once more above
    alignas(inotify_event) char buf[4096];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
    // The file's folder may have appeared: move the watch down to it.
    if (fs::path now = watch_dir(file); now != watched) {
      if (wd >= 0) ::inotify_rm_watch(fd, wd);
      watched = now;
      wd = ::inotify_add_watch(fd, watched.c_str(), k_mask);
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace gw::test
