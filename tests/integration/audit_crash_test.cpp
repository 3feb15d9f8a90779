// Crash test of the audit trail: steady concurrent load through a real `gw agent` enrolled with a
// real `gw serve`, kill -9 at a random moment (its forwarder may be mid-batch, or between the
// central's acknowledgement and persisting it), restart over the same state dir, many rounds.
// Afterwards every request that reached the provider has its admitted record in the spool,
// `gw audit verify` passes, and after a final restart the central holds every spool record
// exactly once, byte for byte, without any alarm.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "tests/integration/audit_central.hpp"

using namespace gw::test;
using namespace gw::test::audit;

namespace {

constexpr int k_rounds = 20;
constexpr int k_clients = 6;

struct RoundResult {
  int responses_200 = 0;
  int failures = 0;  // requests cut by the kill (or refused while it died)
};

// Starts the sidecar, runs k_clients loops of requests with unique agent session ids, and
// kill -9s it once `kill_after` responses have come back. Returns when every client stopped.
RoundResult run_round(AuditHome& home, int round, int kill_after) {
  home.start();
  std::string token = home.mint();
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  bool killed = false;
  RoundResult result;
  std::vector<std::thread> clients;
  for (int c = 0; c < k_clients; ++c)
    clients.emplace_back([&, c] {
      for (int i = 0;; ++i) {
        {
          std::lock_guard lk(mu);
          if (killed) return;
        }
        std::string session = "r" + std::to_string(round) + "-c" + std::to_string(c) + "-" + std::to_string(i);
        auto r = home.post_claude(token, session, messages_body("say pong", i % 2 == 0));
        std::lock_guard lk(mu);
        if (r.status == 200 && r.ok) ++result.responses_200;
        else ++result.failures;
        ++done;
        cv.notify_all();
      }
    });
  {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return done >= kill_after; });
  }
  home.kill9();
  {
    std::lock_guard lk(mu);
    killed = true;
  }
  for (auto& t : clients) t.join();
  return result;
}

}  // namespace

TEST_CASE("audit crash: kill -9 under concurrent load, 20 rounds: every request the provider saw "
          "has its admitted record, the chain verifies, and the central holds every record exactly once") {
  FakeProvider fake;
  Central central;
  AuditHome home(test_policy(fake.base_url()) + "[audit]\ncheckpoint_every_events = 50\n");
  central.enroll(home.paths().config_dir);
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> moment(1, 60);
  int total_ok = 0;
  for (int round = 0; round < k_rounds; ++round) {
    int kill_after = moment(rng);
    CAPTURE(round);
    CAPTURE(kill_after);
    auto r = run_round(home, round, kill_after);
    total_ok += r.responses_200;
  }
  home.start();  // recovers the last torn tail, ships what the central does not have yet
  auto shipped = central_wait(home.paths(), std::chrono::seconds(60));
  REQUIRE_MESSAGE(shipped.value("ok", false), shipped.dump());
  home.stop();  // a clean stop seals the spool (that checkpoint stays local)

  std::set<std::string> admitted;
  for (const auto& ev : events_of_kind(spool_events(home.spool_dir()), "admitted"))
    admitted.insert(ev.value("agent_session_id", ""));
  size_t reached = 0;
  for (const auto& req : fake.requests()) {
    std::string session = logged_header(req, "X-Claude-Code-Session-Id");
    if (session.empty()) continue;
    ++reached;
    INFO("request that reached the provider: " << session);
    CHECK(admitted.count(session) == 1);
  }
  CHECK(reached >= size_t(total_ok));
  MESSAGE("rounds: " << k_rounds << ", requests that reached the provider: " << reached
                     << ", admitted records: " << admitted.size());
  auto [code, out] = home.gw({"audit", "verify"});
  INFO(out);
  CHECK(code == 0);
  auto copy = check_central_matches_spool(central, home.spool_dir());
  MESSAGE("spool: " << copy.spool_records << " records; central: " << copy.stored << " records of " << copy.device_id << ", head " << copy.head_seq
                      << ", central alarms " << copy.central_alarms);
}
