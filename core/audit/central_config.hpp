#pragma once
// Where this device ships its audit trail: `<config dir>/central.toml`, a device setting (not
// policy: it holds the path of a secret and is written once per machine at enrollment).
//
//   url = "https://gw.example.com:8443"   # the central gateway (`gw serve`)
//   token_file = "central.token"          # enrollment token file, 0600 (headless fleets)
//   token_env = "GW_CENTRAL_TOKEN"        # alternatively: read the token from this variable
//   ca_file = "corp-ca.pem"               # extra CA bundle for the central's certificate
//   batch_records = 1000                  # records per batch (1..10000)
//   policy_poll_seconds = 300             # how often the signed policy bundle is fetched (±20 %)
//   key_poll_seconds = 300                # how often a logged-in key's record is re-read (±20 %)
//
// The credential the device presents, first found wins (ADR 0049):
//   1. token_env, when set here      an enrollment token from the environment
//   2. token_file, when set here     an enrollment token file
//   3. the `gw login` key            the developer's central key, in the OS credential store
//   4. <config dir>/central.token    the enrollment token file by its default name
// No file: audit stays local (no forwarder). Errors use "FILE:LINE:COL: key: message".
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/common/result.hpp"

namespace gw::audit {

enum class TokenSource { env, file, login };
std::string_view to_string(TokenSource source);  // "env" | "file" | "login"

struct CentralConfig {
  std::filesystem::path source;
  std::string url;
  std::string token;  // the secret itself; never log it
  TokenSource token_source = TokenSource::file;
  std::string ca_file;
  size_t batch_records = 1000;
  int policy_poll_s = 300;
  int key_poll_s = 300;
  bool logged_in() const { return token_source == TokenSource::login; }
};

// Reads the `gw login` key from the credential store: nullopt when not logged in; an error when
// the store cannot be read (the message says why).
using LoginTokenReader = std::function<Result<std::optional<std::string>>()>;

std::filesystem::path central_config_path(const std::filesystem::path& config_dir);
// nullopt when the file does not exist. `login` (may be empty: not consulted) supplies the
// `gw login` key when central.toml names no token_env/token_file.
Result<std::optional<CentralConfig>> load_central_config(const std::filesystem::path& config_dir,
                                                         const LoginTokenReader& login = {});

}  // namespace gw::audit

namespace gw {
class Clock;
}

namespace gw::audit {

class Spool;
class DeviceKeyStore;
class Forwarder;

// For the sidecar: reads central.toml in config_dir and starts a forwarder for `spool`, signing
// with the device key from `keys`. nullptr (no error) when there is no central.toml; an error
// when the file or the token is invalid. spool and clock must outlive the forwarder.
Result<std::unique_ptr<Forwarder>> start_central_forwarder(const std::filesystem::path& config_dir, Spool& spool,
                                                           DeviceKeyStore& keys, const Clock& clock,
                                                           const LoginTokenReader& login = {});

}  // namespace gw::audit
