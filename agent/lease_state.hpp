#pragma once
// Internal to LeaseClient: what this device knows of one central budget's lease. All access
// happens under LeaseClient's mutex.
#include <cstdint>
#include <string>

#include "agent/lease_client.hpp"

namespace gw::agent {

struct LeaseClient::Lease {
  std::string scope;   // "team:platform"
  std::string budget;  // "daily"
  std::string lease_id;  // empty: none held
  int64_t window_start = 0, window_end = 0;
  int64_t granted = 0;   // total granted on the lease (the central's figure)
  int64_t spent = 0;     // settled here on this lease (the central knows `reported` of it)
  int64_t reported = 0;
  int64_t reserved = 0;  // held by requests in flight
  int64_t expires_at = 0;
  int64_t slice = 0;     // the central tops a lease up to this
  int64_t ttl_ms = 600'000;
  int64_t limit = 0, settled = 0, remaining = 0;  // the budget as of the last answer
  // Call state.
  bool renewing = false;   // a call for this lease is in flight
  bool offline = false;    // the last call could not reach the central (or it failed with 5xx)
  bool exhausted = false;  // the last call was a 409: the budget has nothing more
  std::string error;       // why the last call failed or was refused
  int failures = 0;
  int64_t retry_at = 0, last_call_ms = 0, last_ok_ms = 0;

  int64_t balance() const { return granted - spent - reserved; }
};

}  // namespace gw::agent
