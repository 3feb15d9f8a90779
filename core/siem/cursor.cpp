#include "core/siem/cursor.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace gw::siem {
namespace fs = std::filesystem;

Result<uint64_t> FileCursorStore::load(const std::string& name) {
  fs::path p = file(name);
  std::ifstream in(p);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(p, ec)) return uint64_t{0};
    return fail(Errc::io, "cannot read SIEM cursor " + p.string() + ": " + std::strerror(errno));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("position") ||
      !j["position"].is_number_unsigned())
    return fail(Errc::io, "SIEM cursor " + p.string() +
                              " is corrupt; fix it to {\"position\": N} or delete it to resend "
                              "every event to sink '" + name + "'");
  return j["position"].get<uint64_t>();
}

Status FileCursorStore::save(const std::string& name, uint64_t position) {
  std::error_code ec;
  fs::create_directories(m_dir, ec);
  fs::path target = file(name);
  fs::path tmp = m_dir / (name + ".cursor.tmp");
  std::string body = nlohmann::json{{"position", position}, {"sink", name}}.dump() + "\n";
  auto io_fail = [&](const char* what) {
    return fail(Errc::io, std::string("cannot ") + what + " SIEM cursor " + target.string() + ": " +
                              std::strerror(errno));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_fail("write");
  bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()) &&
            ::fdatasync(fd) == 0;
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (!ok) return io_fail("write");
  if (::rename(tmp.c_str(), target.c_str()) != 0) return io_fail("replace");
  int dfd = ::open(m_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace gw::siem
