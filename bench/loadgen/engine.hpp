#pragma once
// The load generator's engine: one thread, one epoll loop, a pool of HTTP/1.1 keep-alive
// connections, each carrying one request at a time (no pipelining).
//
// Open loop (rate > 0): request i is *scheduled* at t0 + i/rate whatever happened before, and its
// latency is measured from that scheduled time, so a stalled server is charged for every request
// it delayed (no coordinated omission). A due request takes an idle connection, else a new one is
// opened (up to `connections`), else it waits in a queue, its clock running.
//
// Closed loop (rate == 0): `connections` connections each send the next request as soon as the
// previous response is complete; latency is measured from the actual send. Gives the maximum
// throughput the server sustains at that concurrency.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/loadgen/net.hpp"

namespace gw::bench {

struct LoadSpec {
  Target target;
  std::string method = "POST";
  std::string body;                  // sent with Content-Length (none when empty and method is GET)
  std::vector<std::string> headers;  // "Name: value" lines added to every request
  double rate = 0;                   // requests per second; 0 selects the closed loop
  int connections = 64;              // open loop: pool limit; closed loop: concurrency
  int preconnect = 4;                // open loop: connections opened before the clock starts
  double warmup_s = 1;               // requests scheduled (sent) during warm-up are not measured
  double duration_s = 5;             // measured period, after the warm-up
  double drain_s = 10;               // how long to wait for stragglers after the last send
};

// Runs the load and returns the results as JSON (see bench/loadgen/README.md for the fields).
// Fails only when no connection to the target can be made at all.
Result<nlohmann::json> run_load(const LoadSpec& spec);

}  // namespace gw::bench
