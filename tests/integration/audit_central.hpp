#pragma once
// Helpers of the tests that follow a real sidecar's audit trail to a real `gw serve`: wait until
// the sidecar's forwarder has shipped everything (the sidecar's `central_wait` control op), and
// compare what the central store holds with the device's spool, record by record.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "agent/control_client.hpp"
#include "core/common/paths.hpp"
#include "tests/integration/audit_harness.hpp"
#include "tests/support/central.hpp"

namespace gw::test::audit {

// Waits until the sidecar's forwarder reports lag 0 (every durable spool record acknowledged by
// the central) or `timeout` passes. Returns the last "central" status object; "ok" tells which.
inline nlohmann::json central_wait(const Paths& paths, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  nlohmann::json last;
  for (;;) {
    // Each call blocks in the sidecar (on the forwarder's progress) for at most 5 s.
    auto r = agent::control_call(paths, {{"op", "central_wait"}, {"timeout_ms", 5000}}, 10000);
    if (!r) return {{"ok", false}, {"error", r.error().message}};
    last = *r;
    if (last.value("ok", false) || std::chrono::steady_clock::now() >= deadline) return last;
  }
}

// The spool's records (events and checkpoints) by seq, exact line bytes.
inline std::map<uint64_t, std::string> spool_lines_by_seq(const std::filesystem::path& dir) {
  std::map<uint64_t, std::string> out;
  std::istringstream in(spool_text(dir));
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("seq")) out[j["seq"].get<uint64_t>()] = line;
  }
  return out;
}

struct CentralCopy {
  std::string device_id;
  uint64_t head_seq = 0;
  size_t spool_records = 0;   // records in the device's spool (events and checkpoints)
  size_t stored = 0;          // records stored for the device (epoch 0)
  size_t central_alarms = 0;  // alarm events the central raised (gap, fork, reset, ...)
};

// Checks that the central holds exactly one device whose chain (epoch 0, no reset) is the
// spool's records 1..head byte for byte, each once, no central alarm; every spool record after
// the central's head is a checkpoint (the seal written at shutdown, after the forwarder stopped).
inline CentralCopy check_central_matches_spool(const Central& central, const std::filesystem::path& spool_dir) {
  auto spool = spool_lines_by_seq(spool_dir);
  REQUIRE(!spool.empty());
  auto store = central.open_store();
  auto devices = *store->devices();
  REQUIRE_MESSAGE(devices.size() == 1, devices.size() << " devices in the central store");
  const auto& dev = devices[0];
  CentralCopy copy{dev.device_id, dev.head_seq, spool.size(), 0, 0};
  CHECK(dev.epoch == 0);
  CHECK(dev.alarms == 0);
  auto recs = *store->records(dev.device_id, 0, 1, dev.head_seq + 1'000'000);
  copy.stored = recs.size();
  CHECK(recs.size() == dev.head_seq);  // (device, epoch, seq) is unique: count == head means 1..head once
  uint64_t expect = 1;
  for (const auto& r : recs) {
    CHECK_MESSAGE(r.seq == expect, "central record " << r.seq << " where " << expect << " was expected");
    expect = r.seq + 1;
    auto it = spool.find(r.seq);
    REQUIRE_MESSAGE(it != spool.end(), "central holds seq " << r.seq << ", the spool does not");
    CHECK_MESSAGE(it->second == r.line, "seq " << r.seq << " differs between spool and central");
  }
  for (auto it = spool.upper_bound(dev.head_seq); it != spool.end(); ++it)
    CHECK_MESSAGE(it->second.find("\"record\":\"checkpoint\"") != std::string::npos,
                  "spool event " << it->first << " never reached the central");
  auto feed = *store->read_after(0, 10'000'000);  // a copy: ranging over *temporary dangles
  for (const auto& e : feed) {
    auto j = nlohmann::json::parse(e.json, nullptr, false);
    if (j.is_object() && j.value("kind", "") == "alarm" && j.value("source", "") == "central") {
      ++copy.central_alarms;
      CHECK_MESSAGE(false, "central alarm: " << e.json);
    }
  }
  return copy;
}

}  // namespace gw::test::audit
