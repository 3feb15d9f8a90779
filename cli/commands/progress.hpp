#pragma once
// A one-line spinner on stderr for work that can take more than a second (the first sidecar
// start, `gw doctor`'s network checks, policy fetch/publish, service install). Shown only when
// stderr is a terminal and colour is allowed there (no NO_COLOR, TERM != dumb: colour_enabled(2)),
// and only once the work has lasted k_delay, so quick runs, pipes, logs and CI print nothing.
// The line is erased when the Progress ends, before any result is printed.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace gw::cli {

class Progress {
public:
  static constexpr std::chrono::milliseconds k_delay{400};
  static constexpr std::chrono::milliseconds k_frame{100};

  // Starts the spinner thread when stderr qualifies (see above).
  explicit Progress(std::string label);
  // For tests: draw on `fd` when `enabled`, after `delay`.
  Progress(std::string label, int fd, bool enabled, std::chrono::milliseconds delay);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Replaces the label ("checking the central gateway...").
  void set(std::string label);
  // Erases the line and stops drawing (also done by the destructor). Idempotent.
  void stop();

private:
  void run(std::chrono::milliseconds delay);

  int m_fd;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::string m_label;
  bool m_stopping = false;
  bool m_drawn = false;
  std::thread m_thread;
};

}  // namespace gw::cli
