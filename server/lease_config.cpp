#include "server/lease_config.hpp"

#include "core/config/policy_reader.hpp"

namespace gw::server {

void decode_leases_section(const nlohmann::json& table, config::detail::Diagnostics& diag, LeaseConfig& out) {
  config::detail::ObjectReader r(table, "leases", diag);
  if (auto t = r.integer("ttl_seconds", 10)) out.ttl_s = *t;
  if (auto p = r.integer("slice_percent", 1)) {
    if (*p > 100) diag.error("leases.slice_percent", "must be between 1 and 100, got " + std::to_string(*p));
    else out.slice_percent = *p;
  }
  r.finish();
}

}  // namespace gw::server
