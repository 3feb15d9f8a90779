#pragma once
// server.toml: how `gw serve` listens, where it stores, whom it accepts. Validated like the
// policy: every problem reported at once as "FILE:LINE:COL: path: message", unknown keys are
// errors. Relative paths are resolved against the directory of the file.
//
//   listen = "0.0.0.0:8443"              # host:port; port 0 = any free port
//   insecure_plaintext = false           # required to serve a non-loopback address without TLS
//   [tls]
//   cert = "cert.pem"                     # PEM certificate chain
//   key = "key.pem"                       # PEM private key
//   [storage]
//   driver = "sqlite"                     # "sqlite" (default, one process) or "postgres" (replicas)
//   path = "central.db"                   # sqlite: the database; postgres: optional prefix of the
//                                         # local state (<path>.siem/, <path>.policy/), default "central"
//   url_env = "GW_DATABASE_URL"           # postgres: the variable holding the libpq URL (or url = ...)
//   pool_size = 8                         # postgres: connections per replica
//   [ingest]
//   max_batch_records = 5000
//   max_body_bytes = 16777216
//   [enrollment.tokens.laptops]           # devices present this token (Bearer) to send audit
//   secret_hash = "sha256:..."            # from `gw policy hash-key --new`; never the token
//   [admin.tokens.ops]                    # Admin API tokens and roles: see docs/admin-api.md
//   secret_hash = "sha256:..."
//   role = "admin"
//   [proxy]                               # the provider proxy: see proxy_config.hpp
//   listen = "0.0.0.0:8444"
//   [[siem]]                              # SIEM export sinks: see docs/siem.md
//   type = "file"
//   destination = "siem/audit.jsonl"
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"
#include "core/siem/config.hpp"
#include "core/storage/stores.hpp"
#include "server/admin_config.hpp"
#include "server/lease_config.hpp"
#include "server/proxy_config.hpp"

namespace gw::server {

struct EnrollmentToken {
  std::string id;
  std::string secret_hash;  // "sha256:<64 hex>"
};

// [policy]: distributing signed policy bundles (server/policy_distribution.hpp). Off when absent.
//   [policy]
//   org = "acme"                          # the organisation bundles must name
//   roots = ["root.pub"]                  # pinned root public keys (PEM), like `gw trust add`
//   threshold = 1                         # distinct valid signatures required
//   bundle_dir = "policy"                 # default: <storage path>.policy
//   [policy.publishers.ci]                # who may publish (Bearer token), by hash
//   secret_hash = "sha256:..."
struct PolicyDistributionConfig {
  std::string org;
  std::vector<std::filesystem::path> roots;
  int threshold = 1;
  std::filesystem::path bundle_dir;
  std::vector<EnrollmentToken> publishers;
  bool enabled() const { return !org.empty(); }
};

struct ServerConfig {
  std::string source;  // the file it came from (messages)
  std::string host = "127.0.0.1";
  int port = 8443;
  bool insecure_plaintext = false;
  std::filesystem::path tls_cert;  // both empty: plain HTTP (loopback or insecure_plaintext)
  std::filesystem::path tls_key;
  std::string storage_driver = "sqlite";
  std::filesystem::path storage_path;
  std::string storage_url;      // postgres: libpq URL; may hold a password: never log it
  size_t storage_pool_size = 8;  // postgres
  size_t max_batch_records = 5000;
  size_t max_body_bytes = 16u << 20;
  std::vector<EnrollmentToken> enrollment_tokens;
  PolicyDistributionConfig policy;
  LeaseConfig leases;  // [leases]: budget leases to sidecars (server/lease_api.hpp)
  AdminConfig admin;   // [admin]: Admin API tokens and roles (server/admin_config.hpp)
  ProxyConfig proxy;      // [proxy]: the provider proxy (proxy_config.hpp); off when absent
  siem::SiemConfig siem;  // file destinations, token_file and ca_file resolved like other paths

  // Where the SIEM sinks keep their cursors: <storage path>.siem/ (next to the store they index).
  std::filesystem::path siem_cursor_dir() const { return storage_path.string() + ".siem"; }

  bool tls() const { return !tls_cert.empty(); }
  // What storage::open_stores needs from [storage].
  storage::StoreConfig store_config() const { return {storage_driver, storage_path, storage_url, storage_pool_size}; }
};

// Parses and validates server.toml text. `file` names it in messages; `base_dir` resolves
// relative paths. Errors (Errc::config) carry every problem, one per line.
Result<ServerConfig> parse_server_config(std::string_view text, std::string_view file,
                                         const std::filesystem::path& base_dir);
// Reads and parses a file.
Result<ServerConfig> load_server_config(const std::filesystem::path& file);

// Parses "HOST:PORT" / "[V6]:PORT" (port 0..65535) into host and port; false when malformed.
bool split_listen(std::string_view text, std::string& host, int& port);
// Why `config` may not serve as configured (non-loopback without TLS), or empty.
std::string listen_problem(const ServerConfig& config);

// True when host is a loopback address (127.0.0.0/8, ::1, localhost).
bool is_loopback_address(std::string_view host);

}  // namespace gw::server
