#include "core/secrets/provider_keys.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

namespace gw::secrets {

static std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

std::string_view ProviderKeys::store_backend() const { return m_store ? to_string(m_store->backend()) : std::string_view{}; }

std::string_view ProviderKeys::source_for(const config::ProviderConfig& p) const {
  using Kind = config::CredentialSource::Kind;
  switch (p.credential.kind) {
    case Kind::env: {
      const char* v = std::getenv(p.credential.name.c_str());
      return v && *v ? std::string_view("env") : store_backend();
    }
    case Kind::file: return "key-file";
    case Kind::keychain: return store_backend();
    case Kind::none: return {};
  }
  return {};
}

Result<std::optional<std::string>> ProviderKeys::from_store(const std::string& name) const {
  if (!m_store) return fail(Errc::unavailable, "no secret store is available: " + m_store_error);
  std::lock_guard lock(m_mutex);
  auto now = std::chrono::steady_clock::now();
  if (auto it = m_cache.find(name); it != m_cache.end() && now - it->second.at < std::chrono::milliseconds(k_cache_ms))
    return std::optional<std::string>(it->second.value);
  GW_TRY(v, m_store->get(name));
  if (v) m_cache[name] = {*v, now};
  else m_cache.erase(name);
  return v;
}

Result<std::string> ProviderKeys::key_for(const config::ProviderConfig& p) const {
  using Kind = config::CredentialSource::Kind;
  switch (p.credential.kind) {
    case Kind::env: {
      const char* v = std::getenv(p.credential.name.c_str());
      if (v && *v) return std::string(v);
      if (m_store) {
        auto stored = from_store(p.id);
        if (stored && *stored && !(*stored)->empty()) return **stored;
      }
      return fail(Errc::not_found, "no API key for provider '" + p.id + "': run `gw keys set " + p.id +
                                       "` to store it in the keychain, or set " + p.credential.name +
                                       " where the sidecar starts (then `gw agent stop`)");
    }
    case Kind::file: {
      struct stat st {};
      if (::stat(p.credential.name.c_str(), &st) != 0)
        return fail(Errc::not_found, "no API key for provider '" + p.id + "': key file " + p.credential.name + " does not exist");
      if (st.st_mode & 077)
        return fail(Errc::config, "key file " + p.credential.name + " for provider '" + p.id +
                                      "' is readable by others; run chmod 600 on it");
      std::ifstream in(p.credential.name);
      std::string line;
      std::getline(in, line);
      line = trim(line);
      if (line.empty()) return fail(Errc::not_found, "key file " + p.credential.name + " for provider '" + p.id + "' is empty");
      return line;
    }
    case Kind::keychain: {
      auto stored = from_store(p.credential.name);
      if (!stored)
        return fail(stored.error().code, "provider '" + p.id + "' takes its key from the keychain item '" +
                                             p.credential.name + "': " + stored.error().message);
      if (!*stored || (*stored)->empty())
        return fail(Errc::not_found, "no API key for provider '" + p.id + "': the keychain has no item '" +
                                         p.credential.name + "'; run `gw keys set " + p.credential.name + "`");
      return **stored;
    }
    case Kind::none:
      return fail(Errc::not_found, "provider '" + p.id + "' has no credential configured and passthrough is off");
  }
  return fail(Errc::internal, "unknown credential source");
}

}  // namespace gw::secrets
