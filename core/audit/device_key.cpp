#include "core/audit/device_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/common/crypto.hpp"

namespace gw::audit {
namespace fs = std::filesystem;

namespace {
std::string from_hex(std::string_view hex) {
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) return {};
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

Result<std::string> read_trimmed(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return fail(Errc::not_found, "cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Status write_file_mode(const fs::path& p, const std::string& data, mode_t mode) {
  fs::path tmp = p;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return fail(Errc::io, "cannot create " + tmp.string());
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), p.c_str()) != 0)
    return fail(Errc::io, "cannot write " + p.string());
  return {};
}
}  // namespace

Result<DeviceKey> FileDeviceKeyStore::load_or_create() {
  fs::path priv = m_dir / "device_key", pub = m_dir / "device_key.pub";
  struct stat st {};
  if (::stat(priv.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0)
      return fail(Errc::config, priv.string() + " is readable by group or others; run: chmod 600 " +
                                    priv.string());
    GW_TRY(hex, read_trimmed(priv));
    auto k = DeviceKey::from_private(from_hex(hex));
    if (!k) return fail(Errc::config, priv.string() + ": not a valid device key (" + k.error().message + ")");
    return k;
  }
  std::error_code ec;
  fs::create_directories(m_dir, ec);
  DeviceKey k = DeviceKey::generate();
  GW_CHECK(write_file_mode(priv, to_hex(k.private_raw()) + "\n", 0600));
  GW_CHECK(write_file_mode(pub, to_hex(k.public_raw()) + "\n", 0644));
  return k;
}

Status save_device_public_key(const fs::path& dir, const DeviceKey& key) {
  fs::path pub = dir / "device_key.pub";
  std::string want = to_hex(key.public_raw());
  if (auto have = read_trimmed(pub); have && *have == want) return {};
  std::error_code ec;
  fs::create_directories(dir, ec);
  return write_file_mode(pub, want + "\n", 0644);
}

Result<DeviceKey> FileDeviceKeyStore::load_public() {
  fs::path pub = m_dir / "device_key.pub";
  auto hex = read_trimmed(pub);
  if (!hex)
    return fail(Errc::not_found, "no device public key at " + pub.string() +
                                     " (no audit spool was ever written on this device?)");
  return DeviceKey::from_public(from_hex(*hex));
}

}  // namespace gw::audit
