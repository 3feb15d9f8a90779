#include "server/proxy_config.hpp"

#include <unistd.h>

#include "core/config/policy_reader.hpp"
#include "server/server_config.hpp"

namespace gw::server {
namespace fs = std::filesystem;
using config::detail::Diagnostics;
using config::detail::ObjectReader;

namespace {

fs::path resolve(const fs::path& base, const std::string& p) {
  fs::path path(p);
  return path.is_absolute() || base.empty() ? path : base / path;
}

std::string default_device_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == 0) return "central";
  return std::string("central-") + host;
}

}  // namespace

void decode_proxy_section(const nlohmann::json& table, const fs::path& base_dir, const std::string& default_host,
                          Diagnostics& diag, ProxyConfig& out) {
  ObjectReader p(table, "proxy", diag);
  out.enabled = true;
  out.host = default_host;
  if (auto listen = p.string("listen")) {
    if (!split_listen(*listen, out.host, out.port))
      diag.error("proxy.listen", "must be HOST:PORT (e.g. \"0.0.0.0:8444\"), got \"" + *listen + "\"");
  }
  if (auto f = p.string("policy")) {
    out.policy_file = resolve(base_dir, *f);
    std::error_code ec;
    if (!fs::is_regular_file(out.policy_file, ec))
      diag.error("proxy.policy", "no such file: " + out.policy_file.string());
  }
  if (auto n = p.integer("max_body_bytes", 1024)) out.max_body_bytes = static_cast<size_t>(*n);
  if (auto d = p.string("device_id")) {
    if (d->empty() || d->size() > 128) diag.error("proxy.device_id", "must be 1 to 128 characters");
    out.device_id = *d;
  }
  if (out.device_id.empty()) out.device_id = default_device_id();
  if (auto ca = p.string("ca_file")) out.ca_file = resolve(base_dir, *ca).string();
  p.finish();
}

}  // namespace gw::server
