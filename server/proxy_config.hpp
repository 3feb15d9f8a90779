#pragma once
// [proxy] of server.toml: the provider proxy of `gw serve` (server/proxy_server.hpp,
// docs/server.md "Provider proxy"). Off when the table is absent.
//
//   [proxy]
//   listen = "0.0.0.0:8444"        # its own port (ADR 0052); default: the central's host, 8444
//   policy = "proxy-policy.toml"   # used until a signed bundle is published ([policy]); optional
//   max_body_bytes = 33554432      # largest request body accepted (413 above)
//   device_id = "central-eu1"      # the audit chain the proxy writes; default "central-<hostname>"
//   ca_file = "corp-ca.pem"        # extra CA bundle for the upstream providers (optional)
#include <cstddef>
#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace gw::config::detail {
class Diagnostics;
}

namespace gw::server {

inline constexpr int k_default_proxy_port = 8444;

struct ProxyConfig {
  bool enabled = false;
  std::string host;  // empty until decoded: the central's host
  int port = k_default_proxy_port;
  std::filesystem::path policy_file;
  size_t max_body_bytes = 32u << 20;
  std::string device_id;
  std::string ca_file;
};

// Decodes the [proxy] table into out (enabled = true); problems go to diag. Relative paths are
// resolved against base_dir; default_host is the central's listen host.
void decode_proxy_section(const nlohmann::json& table, const std::filesystem::path& base_dir,
                          const std::string& default_host, config::detail::Diagnostics& diag, ProxyConfig& out);

}  // namespace gw::server
