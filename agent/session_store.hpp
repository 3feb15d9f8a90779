#pragma once
// Launcher sessions. A token is "gws_" + 43 base64url chars (256 random bits); only its SHA-256
// is kept, in memory and in a 0600 file in the state dir so sessions survive a sidecar restart.
// A session ends at its expiry, on revocation, or when its launcher process is gone.
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/common/clock.hpp"
#include "core/stages/services.hpp"

namespace gw::agent {

struct StoredSession {
  std::string session_id;
  std::string agent;
  int owner_pid = 0;
  int64_t expires_ms = 0;
};

class SessionStore final : public stages::SessionVerifier {
public:
  // file: where hashes persist (empty: memory only). Loads it if present.
  SessionStore(const Clock& clock, std::filesystem::path file);
  struct Minted {
    std::string token;
    StoredSession session;
  };
  Minted mint(std::string agent, int owner_pid, int64_t ttl_s);
  bool revoke(std::string_view session_id);
  std::optional<stages::SessionInfo> verify(std::string_view token) const override;
  // Sessions still alive (owner running, not expired); prunes the others.
  size_t live_count();

private:
  bool alive(const StoredSession& s) const;
  void save_locked() const;
  const Clock& m_clock;
  std::filesystem::path m_file;
  mutable std::mutex m_mutex;
  // Keyed by the token's SHA-256 hex: a lookup by hash leaks nothing usable about a token.
  std::unordered_map<std::string, StoredSession> m_by_hash;
};

}  // namespace gw::agent
