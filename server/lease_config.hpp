#pragma once
// [leases] of server.toml: how the central gateway leases budget slices to sidecars (ADR 0046).
//
//   [leases]
//   ttl_seconds = 600      # a lease not renewed for this long gives its unspent part back
//   slice_percent = 10     # a lease is topped up to this share of the budget's limit
//
// Leases are served whenever the central distributes policy ([policy]): the budgets leased are
// the calendar budgets of the bundle in force.
#include <cstdint>

#include <nlohmann/json_fwd.hpp>

namespace gw::config::detail {
class Diagnostics;
}

namespace gw::server {

struct LeaseConfig {
  int64_t ttl_s = 600;
  int64_t slice_percent = 10;
};

// Reads the [leases] table into `out`; problems go to `diag` as "leases.KEY: message".
void decode_leases_section(const nlohmann::json& table, config::detail::Diagnostics& diag, LeaseConfig& out);

}  // namespace gw::server
