#include "tests/support/central.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/common/crypto.hpp"

namespace gw::test {

Central::Central(const std::string& extra_toml) {
  std::ofstream(m_dir.path() / "server.toml")
      << "listen = \"127.0.0.1:0\"\n[storage]\npath = \"central.db\"\n[enrollment.tokens.test]\nsecret_hash = \"sha256:"
      << sha256_hex(k_enrollment_token) << "\"\n" << extra_toml;
  start(0);
}

Central::~Central() {
  if (m_process && m_process->running()) stop();
}

void Central::start(int port) {
  if (port < 0) port = m_port;
  ProcessOptions po;
  po.argv = {std::string(GW_BINARY_DIR) + "/gw", "serve", "--config", (m_dir.path() / "server.toml").string(),
             "--listen", "127.0.0.1:" + std::to_string(port)};
  po.env = minimal_env(m_dir.path());
  m_process = std::make_unique<Process>(po);
  if (!m_process->wait_for_output("gw serve listening", std::chrono::seconds(20)))
    throw std::runtime_error("gw serve did not start: " + m_process->stderr_text());
  std::istringstream err(m_process->stderr_text());
  for (std::string line; std::getline(err, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("msg", "") == "gw serve listening") m_port = j.value("port", 0);
  }
  if (m_port <= 0) throw std::runtime_error("gw serve printed no port: " + m_process->stderr_text());
}

void Central::stop() {
  m_process->terminate();
  if (!m_process->wait(std::chrono::seconds(15))) m_process->kill();
}

void Central::kill() {
  m_process->kill();
  m_process->wait(std::chrono::seconds(15));
}

std::unique_ptr<storage::SqliteAuditStore> Central::open_store() const {
  auto s = storage::SqliteAuditStore::open(db_path());
  if (!s) throw std::runtime_error("cannot open the central store: " + s.error().message);
  return std::move(*s);
}

void Central::enroll(const std::filesystem::path& config_dir) const {
  std::filesystem::create_directories(config_dir);
  std::ofstream(config_dir / "central.toml") << "url = \"" << url() << "\"\n";
  auto token = config_dir / "central.token";
  std::ofstream(token) << k_enrollment_token << "\n";
  ::chmod(token.c_str(), 0600);
}

}  // namespace gw::test
