#pragma once
// Where this device ships its audit trail: `<config dir>/central.toml`, a device setting (not
// policy: it holds the path of a secret and is written once per machine at enrollment).
//
//   url = "https://gw.example.com:8443"   # the central gateway (`gw serve`)
//   token_file = "central.token"          # enrollment token, 0600; default: central.token here
//   token_env = "GW_CENTRAL_TOKEN"        # alternatively: read the token from this variable
//   ca_file = "corp-ca.pem"               # extra CA bundle for the central's certificate
//   batch_records = 1000                  # records per batch (1..10000)
//   policy_poll_seconds = 300             # how often the signed policy bundle is fetched (±20 %)
//
// No file: audit stays local (no forwarder). Errors use "FILE:LINE:COL: key: message".
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/common/result.hpp"

namespace gw::audit {

struct CentralConfig {
  std::filesystem::path source;
  std::string url;
  std::string token;  // the secret itself; never log it
  std::string ca_file;
  size_t batch_records = 1000;
  int policy_poll_s = 300;
};

std::filesystem::path central_config_path(const std::filesystem::path& config_dir);
// nullopt when the file does not exist.
Result<std::optional<CentralConfig>> load_central_config(const std::filesystem::path& config_dir);

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
                                                           DeviceKeyStore& keys, const Clock& clock);

}  // namespace gw::audit
