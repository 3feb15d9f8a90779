#pragma once
// A temporary directory removed with its contents when the object dies. Used for temp homes.
#include <filesystem>
#include <string>

namespace gw::test {

class TempDir {
public:
  explicit TempDir(const std::string& prefix = "gw-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

}  // namespace gw::test
