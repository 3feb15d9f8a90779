// JSONL file sink: one formatted record per line appended to `destination`; rotated by size and/or
// at the first write of a new UTC day to <stem>-<UTC time>.<ext> next to it, keeping `keep` files.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <filesystem>
#include <unistd.h>

#include "core/audit/export.hpp"
#include "core/siem/format.hpp"
#include "core/siem/sinks.hpp"

namespace gw::siem {
namespace fs = std::filesystem;

namespace {

int64_t utc_day(int64_t unix_s) { return unix_s / 86400; }

class FileSink final : public Sink {
public:
  explicit FileSink(SinkConfig cfg) : m_cfg(std::move(cfg)), m_path(m_cfg.destination) {}
  ~FileSink() override { close_file(); }
  std::string_view type() const override { return "file"; }

  Delivery deliver(const std::vector<FeedEvent>& batch) override {
    std::string lines;
    for (const auto& ev : batch) {
      auto formatted = audit::export_record(parse_record(ev), m_cfg.format);
      if (!formatted) continue;
      lines += formatted->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      lines += '\n';
    }
    if (lines.empty()) return {};
    if (auto st = open_file(); !st) return st;
    if (should_rotate(lines.size()))
      if (auto st = rotate(); !st) return st;
    size_t done = 0;
    while (done < lines.size()) {
      ssize_t n = ::write(m_fd, lines.data() + done, lines.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return io_error("write");
      done += static_cast<size_t>(n);
    }
    if (m_cfg.fsync && ::fdatasync(m_fd) != 0) return io_error("sync");
    m_size += static_cast<int64_t>(lines.size());
    return {};
  }

private:
  std::unexpected<DeliveryError> io_error(const char* what) {
    std::string msg = std::string("cannot ") + what + " " + m_path.string() + ": " + std::strerror(errno);
    close_file();  // reopen next time: the file may have been moved or the disk freed
    return delivery_failed(std::move(msg));
  }

  Delivery open_file() {
    if (m_fd >= 0) return {};
    std::error_code ec;
    if (m_path.has_parent_path()) fs::create_directories(m_path.parent_path(), ec);
    m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (m_fd < 0) return io_error("open");
    struct stat st{};
    ::fstat(m_fd, &st);
    m_size = st.st_size;
    // A file left from before a restart belongs to the day it was last written.
    m_day = st.st_size > 0 ? utc_day(st.st_mtim.tv_sec) : utc_day(std::time(nullptr));
    return {};
  }

  void close_file() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

  bool should_rotate(size_t adding) const {
    if (m_size == 0) return false;
    if (m_cfg.rotate_bytes > 0 && m_size + static_cast<int64_t>(adding) > m_cfg.rotate_bytes) return true;
    return m_cfg.rotate_daily && utc_day(std::time(nullptr)) != m_day;
  }

  Delivery rotate() {
    // Names must sort in rotation order (prune deletes the first ones): two rotations in the same
    // millisecond get consecutive stamps instead of a suffix.
    struct timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t ms = std::max<int64_t>(now.tv_sec * 1000 + now.tv_nsec / 1'000'000, m_last_rotation_ms + 1);
    std::string stem = m_path.stem().string(), ext = m_path.extension().string();
    fs::path target;
    for (;; ++ms) {
      target = m_path.parent_path() / (stem + "-" + stamp(ms) + ext);
      if (!fs::exists(target)) break;
    }
    m_last_rotation_ms = ms;
    close_file();
    if (::rename(m_path.c_str(), target.c_str()) != 0) return io_error("rotate");
    prune(stem, ext);
    return open_file();
  }

  static std::string stamp(int64_t unix_ms) {
    std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, "%03dZ", static_cast<int>(unix_ms % 1000));
    return buf;
  }

  // Deletes the oldest rotated files beyond `keep` (names sort by their UTC stamp).
  void prune(const std::string& stem, const std::string& ext) {
    std::vector<fs::path> rotated;
    std::error_code ec;
    fs::path dir = m_path.has_parent_path() ? m_path.parent_path() : fs::path(".");
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      std::string name = e.path().filename().string();
      // Only names this sink made: <stem>-YYYYMMDDTHHMMSSmmmZ<ext>.
      size_t at = stem.size() + 1;
      if (name.size() == at + 19 + ext.size() && name.starts_with(stem + "-") &&
          name.ends_with(ext) && name[at + 8] == 'T' && name[at + 18] == 'Z' &&
          std::all_of(name.begin() + at, name.begin() + at + 8, ::isdigit))
        rotated.push_back(e.path());
    }
    std::sort(rotated.begin(), rotated.end());
    while (rotated.size() > static_cast<size_t>(m_cfg.keep)) {
      fs::remove(rotated.front(), ec);
      rotated.erase(rotated.begin());
    }
  }

  SinkConfig m_cfg;
  fs::path m_path;
  int m_fd = -1;
  int64_t m_size = 0;
  int64_t m_day = 0;
  int64_t m_last_rotation_ms = 0;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_file_sink(const SinkConfig& cfg) {
  return std::unique_ptr<Sink>(std::make_unique<FileSink>(cfg));
}

}  // namespace gw::siem
