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

Result<std::string> ProviderKeys::key_for(const config::ProviderConfig& p) const {
  using Kind = config::CredentialSource::Kind;
  switch (p.credential.kind) {
    case Kind::env: {
      const char* v = std::getenv(p.credential.name.c_str());
      if (!v || !*v)
        return fail(Errc::not_found, "no API key for provider '" + p.id + "': the sidecar's environment has no " +
                                         p.credential.name + ". Set it where the sidecar starts (then `gw agent stop`), "
                                         "or store the key with `gw keys set " + p.id + "`.");
      return std::string(v);
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
    case Kind::keychain:
      return fail(Errc::unavailable, "provider '" + p.id + "' takes its key from the OS keychain (item " +
                                         p.credential.name + "), which this build cannot reach yet");
    case Kind::none:
      return fail(Errc::not_found, "provider '" + p.id + "' has no credential configured and passthrough is off");
  }
  return fail(Errc::internal, "unknown credential source");
}

}  // namespace gw::secrets
