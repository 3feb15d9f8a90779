#include "cli/commands/progress.hpp"

#include <unistd.h>

#include "cli/commands/colour.hpp"

namespace gw::cli {

namespace {

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;  // a closed terminal: nothing to show progress on
    off += static_cast<size_t>(n);
  }
}

}  // namespace

Progress::Progress(std::string label) : Progress(std::move(label), 2, colour_enabled(2), k_delay) {}

Progress::Progress(std::string label, int fd, bool enabled, std::chrono::milliseconds delay)
    : m_fd(fd), m_label(std::move(label)) {
  if (enabled) m_thread = std::thread([this, delay] { run(delay); });
}

Progress::~Progress() { stop(); }

void Progress::set(std::string label) {
  std::lock_guard lock(m_mutex);
  m_label = std::move(label);
}

void Progress::stop() {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping) return;
    m_stopping = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void Progress::run(std::chrono::milliseconds delay) {
  static constexpr char k_frames[] = {'|', '/', '-', '\\'};
  std::unique_lock lock(m_mutex);
  if (m_cv.wait_for(lock, delay, [this] { return m_stopping; })) return;
  for (size_t frame = 0;; ++frame) {
    // \r and erase-to-end-of-line: the spinner owns one line and leaves nothing behind.
    write_all(m_fd, std::string("\r\033[K") + k_frames[frame % 4] + " " + m_label);
    m_drawn = true;
    if (m_cv.wait_for(lock, k_frame, [this] { return m_stopping; })) break;
  }
  if (m_drawn) write_all(m_fd, "\r\033[K");
}

}  // namespace gw::cli
