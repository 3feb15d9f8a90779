// The 0600-file fallback backend (see secret_store.hpp).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/common/crypto.hpp"
#include "core/secrets/secret_store.hpp"

namespace gw::secrets {
namespace fs = std::filesystem;

namespace {

class FileStore final : public SecretStore {
public:
  explicit FileStore(fs::path dir) : m_dir(std::move(dir)) {}
  Backend backend() const override { return Backend::file; }
  std::string location() const override { return file().string(); }

  Result<std::optional<std::string>> get(std::string_view name) override {
    std::lock_guard lock(m_mutex);
    GW_TRY(items, read());
    auto it = items.find(std::string(name));
    if (it == items.end() || !it->is_string()) return std::optional<std::string>{};
    return std::optional<std::string>(it->get<std::string>());
  }

  Status set(std::string_view name, std::string_view secret) override {
    GW_CHECK(check_item_name(name));
    std::lock_guard lock(m_mutex);
    GW_TRY(items, read());
    items[std::string(name)] = std::string(secret);
    return write(items);
  }

  Result<bool> remove(std::string_view name) override {
    std::lock_guard lock(m_mutex);
    GW_TRY(items, read());
    if (!items.erase(std::string(name))) return false;
    GW_CHECK(write(items));
    return true;
  }

  Result<std::vector<std::string>> list() override {
    std::lock_guard lock(m_mutex);
    GW_TRY(items, read());
    std::vector<std::string> names;
    for (auto& [k, v] : items.items()) names.push_back(k);
    std::sort(names.begin(), names.end());
    return names;
  }

private:
  fs::path file() const { return m_dir / "credentials.json"; }

  // The items as a JSON object; an absent file is an empty store. Refuses a file or dir that
  // others can read, or that another user owns: its secrets may already have leaked.
  Result<nlohmann::json> read() const {
    struct stat st {};
    if (::lstat(m_dir.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return fail(Errc::config, m_dir.string() + " is not a directory; move it away");
      if (st.st_mode & 077)
        return fail(Errc::config, "the credential directory " + m_dir.string() +
                                      " is accessible to other users; run `chmod 700 " + m_dir.string() +
                                      "` and rotate the keys stored there");
      if (st.st_uid != ::geteuid())
        return fail(Errc::config, "the credential directory " + m_dir.string() + " belongs to another user");
    }
    int fd = ::open(file().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      if (errno == ENOENT) return nlohmann::json::object();
      return fail(Errc::io, "cannot read " + file().string() + ": " + std::strerror(errno));
    }
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return fail(Errc::config, file().string() + " is not a regular file; move it away");
    }
    if (st.st_mode & 077) {
      ::close(fd);
      return fail(Errc::config, "the credential file " + file().string() +
                                    " is readable by other users; run `chmod 600 " + file().string() +
                                    "` and rotate the keys stored there");
    }
    if (st.st_uid != ::geteuid()) {
      ::close(fd);
      return fail(Errc::config, "the credential file " + file().string() + " belongs to another user");
    }
    std::string text;
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return fail(Errc::config, "the credential file " + file().string() +
                                    " is damaged (not a JSON object); remove it and store the keys again with `gw keys set`");
    return j;
  }

  // Writes a new file next to the old one (0600 from creation) and renames it over.
  Status write(const nlohmann::json& items) const {
    GW_CHECK(ensure_private_dir(m_dir));
    fs::path tmp = m_dir / ("credentials.json.tmp-" + to_hex(random_bytes(6)));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return fail(Errc::io, "cannot write " + tmp.string() + ": " + std::strerror(errno));
    std::string text = items.dump(2) + "\n";
    size_t off = 0;
    while (off < text.size()) {
      ssize_t n = ::write(fd, text.data() + off, text.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int e = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        return fail(Errc::io, "cannot write " + tmp.string() + ": " + std::strerror(e));
      }
      off += static_cast<size_t>(n);
    }
    bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced || ::rename(tmp.c_str(), file().c_str()) != 0) {
      int e = errno;
      ::unlink(tmp.c_str());
      return fail(Errc::io, "cannot replace " + file().string() + ": " + std::strerror(e));
    }
    return {};
  }

  fs::path m_dir;
  mutable std::mutex m_mutex;
};

}  // namespace

std::unique_ptr<SecretStore> make_file_store(fs::path dir) { return std::make_unique<FileStore>(std::move(dir)); }

}  // namespace gw::secrets
