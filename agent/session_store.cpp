#include "agent/session_store.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/common/crypto.hpp"
#include "core/common/ids.hpp"
#include "core/common/log.hpp"
#include "core/stages/auth_stage.hpp"

namespace gw::agent {

SessionStore::SessionStore(const Clock& clock, std::filesystem::path file) : m_clock(clock), m_file(std::move(file)) {
  if (m_file.empty()) return;
  std::ifstream in(m_file);
  if (!in) return;
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_object()) {
    log::write(log::Level::warn, "ignoring unreadable session file", {{"file", m_file.string()}});
    return;
  }
  for (auto& [hash, s] : j.items()) {
    if (!s.is_object()) continue;
    StoredSession st{s.value("session_id", ""), s.value("agent", ""), s.value("owner_pid", 0),
                     s.value("expires_ms", int64_t{0})};
    if (alive(st)) m_by_hash.emplace(hash, st);
  }
}

bool SessionStore::alive(const StoredSession& s) const {
  if (m_clock.now_ms() >= s.expires_ms) return false;
  if (s.owner_pid > 0 && ::kill(s.owner_pid, 0) != 0 && errno == ESRCH) return false;
  return true;
}

void SessionStore::save_locked() const {
  if (m_file.empty()) return;
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [hash, s] : m_by_hash)
    j[hash] = {{"session_id", s.session_id}, {"agent", s.agent}, {"owner_pid", s.owner_pid}, {"expires_ms", s.expires_ms}};
  auto tmp = m_file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump();
    if (!out) {
      log::write(log::Level::warn, "cannot persist sessions", {{"file", m_file.string()}});
      return;
    }
  }
  ::chmod(tmp.c_str(), 0600);
  std::error_code ec;
  std::filesystem::rename(tmp, m_file, ec);
}

SessionStore::Minted SessionStore::mint(std::string agent, int owner_pid, int64_t ttl_s) {
  std::string token = std::string(stages::k_session_prefix) + base64url(random_bytes(32));
  StoredSession s{uuid_v7(m_clock.now_ms()), std::move(agent), owner_pid, m_clock.now_ms() + ttl_s * 1000};
  std::lock_guard lock(m_mutex);
  m_by_hash[sha256_hex(token)] = s;
  save_locked();
  return {token, s};
}

bool SessionStore::revoke(std::string_view session_id) {
  std::lock_guard lock(m_mutex);
  size_t n = std::erase_if(m_by_hash, [&](const auto& kv) { return kv.second.session_id == session_id; });
  if (n) save_locked();
  return n > 0;
}

std::optional<stages::SessionInfo> SessionStore::verify(std::string_view token) const {
  if (!token.starts_with(stages::k_session_prefix)) return std::nullopt;
  std::string hash = sha256_hex(token);
  std::lock_guard lock(m_mutex);
  auto it = m_by_hash.find(hash);
  if (it == m_by_hash.end() || !alive(it->second)) return std::nullopt;
  return stages::SessionInfo{it->second.session_id, it->second.agent, it->second.expires_ms};
}

size_t SessionStore::live_count() {
  std::lock_guard lock(m_mutex);
  size_t n = std::erase_if(m_by_hash, [&](const auto& kv) { return !alive(kv.second); });
  if (n) save_locked();
  return m_by_hash.size();
}

}  // namespace gw::agent
