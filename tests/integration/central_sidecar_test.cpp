// The audit trail from a real `gw agent` to a real `gw serve`: the sidecar's forwarder (started
// from <config>/central.toml) ships the spool; the central store must then hold every spool
// record exactly once, byte for byte, also across a central outage under load.
#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/integration/audit_central.hpp"
#include "tests/support/central.hpp"

using namespace gw;
using namespace gw::test;
using namespace gw::test::audit;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// Counts kinds among the central's events of one device.
std::map<std::string, int> central_kinds(const Central& central) {
  std::map<std::string, int> kinds;
  auto feed = *central.open_store()->read_after(0, 1'000'000);
  for (const auto& e : feed) {
    auto j = json::parse(e.json, nullptr, false);
    if (j.is_object()) ++kinds[j.value("kind", "")];
  }
  return kinds;
}

}  // namespace

TEST_CASE("central via the sidecar: every request's admitted and completed records reach gw serve exactly once; "
          "gw status shows the forwarder") {
  FakeProvider fake;
  Central central;
  AuditHome home(test_policy(fake.base_url()));
  central.enroll(home.paths().config_dir);
  home.start();
  std::string token = home.mint();
  const int n = 15;
  for (int i = 0; i < n; ++i) {
    auto r = home.post_claude(token, "s-" + std::to_string(i), messages_body("hi", i % 3 == 0));
    CHECK(r.status == 200);
  }
  auto st = central_wait(home.paths(), 30s);
  REQUIRE_MESSAGE(st.value("ok", false), st.dump());
  CHECK(st["central"]["central"] == central.url());
  CHECK(st["central"]["acked_seq"].get<uint64_t>() >= 2 * n);
  auto kinds = central_kinds(central);
  CHECK(kinds["admitted"] == n);
  CHECK(kinds["completed"] == n);
  CHECK(kinds["alarm"] == 0);

  // gw status prints the forwarder line.
  auto [code, out] = home.gw({"status"});
  CHECK(code == 0);
  CHECK_MESSAGE(out.find("central:    " + central.url() + "  idle, acked seq") != std::string::npos, out);
  home.stop();
  check_central_matches_spool(central, home.spool_dir());
}

TEST_CASE("central via the sidecar: enrolling is picked up by a reload; a broken central.toml refuses start "
          "and reload with the file's error") {
  FakeProvider fake;
  Central central;
  AuditHome home(test_policy(fake.base_url()));
  home.start();
  CHECK(home.gw({"status"}).second.find("central:") == std::string::npos);
  auto none = agent::control_call(home.paths(), {{"op", "central_wait"}});
  REQUIRE(none);
  CHECK(none->value("ok", true) == false);
  CHECK(none->value("error", "").find("no central gateway configured") != std::string::npos);

  // A typo in central.toml: the reload is refused and names the file, line and key.
  std::ofstream(home.paths().config_dir / "central.toml") << "url = \"" << central.url() << "\"\nbatch_size = 10\n";
  auto bad = agent::control_call(home.paths(), {{"op", "reload"}});
  REQUIRE(bad);
  CHECK(bad->value("ok", true) == false);
  std::string err = bad->value("error", "");
  CHECK_MESSAGE(err.find("central.toml:2:14: batch_size: unknown key") != std::string::npos, err);
  CHECK_MESSAGE(err.find("cannot start the audit forwarder") != std::string::npos, err);

  // Fixed: the reload starts the forwarder, which ships what the spool already holds.
  central.enroll(home.paths().config_dir);
  std::string token = home.mint();
  CHECK(home.post_claude(token, "before", messages_body("hi")).status == 200);
  auto ok = agent::control_call(home.paths(), {{"op", "reload"}});
  REQUIRE(ok);
  CHECK_MESSAGE(ok->value("ok", false), ok->dump());
  auto st = central_wait(home.paths(), 30s);
  CHECK_MESSAGE(st.value("ok", false), st.dump());
  CHECK(central_kinds(central)["admitted"] == 1);
  home.stop();

  // A missing token file: the sidecar does not start, and says which file and what to do.
  std::filesystem::remove(home.paths().config_dir / "central.token");
  auto [code, out] = home.gw({"agent", "run", "--port", "0", "--idle-exit", "0"});
  CHECK(code != 0);
  CHECK_MESSAGE(out.find("central.token does not exist") != std::string::npos, out);
}

TEST_CASE("central via the sidecar: gw serve stops under load and comes back; requests never wait for it, "
          "everything arrives once") {
  FakeProvider fake;
  Central central;
  AuditHome home(test_policy(fake.base_url()) + "[audit]\ncheckpoint_every_events = 100\n");
  central.enroll(home.paths().config_dir);
  home.start();
  std::string token = home.mint();

  std::mutex mu;
  std::condition_variable cv;
  int ok = 0, failed = 0;
  bool stop = false;
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&, c] {
      for (int i = 0;; ++i) {
        {
          std::lock_guard lk(mu);
          if (stop) return;
        }
        auto r = home.post_claude(token, "c" + std::to_string(c) + "-" + std::to_string(i),
                                  messages_body("ping", i % 2 == 0));
        std::lock_guard lk(mu);
        (r.status == 200 && r.ok ? ok : failed) += 1;
        cv.notify_all();
      }
    });
  // Waits until `pred` holds, re-checked after every response.
  auto wait_responses = [&](const std::function<bool()>& pred) {
    std::unique_lock lk(mu);
    cv.wait(lk, pred);
  };
  wait_responses([&] { return ok >= 40; });
  central.kill();  // no goodbye
  int at_outage = 0;
  {
    std::lock_guard lk(mu);
    at_outage = ok;
  }
  // The outage is noticed by the forwarder (a failed attempt) while requests keep succeeding.
  json during;
  for (;;) {
    {
      std::unique_lock lk(mu);
      int seen = ok;
      cv.wait(lk, [&] { return ok > seen || failed > 0; });
    }
    auto s = agent::control_call(home.paths(), {{"op", "status"}});
    REQUIRE(s);
    during = (*s)["central"];
    if (during.value("failures", 0) > 0) break;
  }
  // "retrying" between attempts, "shipping" during one; the error stays until a batch succeeds.
  CHECK(during["state"] != "idle");
  CHECK(!during.value("last_error", "").empty());
  wait_responses([&] { return ok >= at_outage + 150; });
  auto lagging = (*agent::control_call(home.paths(), {{"op", "status"}}))["central"];
  CHECK(lagging["lag"].get<uint64_t>() > 0);
  central.start();  // same port, same store
  wait_responses([&] { return ok >= at_outage + 250; });
  {
    std::lock_guard lk(mu);
    stop = true;
  }
  for (auto& t : clients) t.join();
  CHECK(failed == 0);

  auto st = central_wait(home.paths(), 90s);
  REQUIRE_MESSAGE(st.value("ok", false), st.dump());
  home.stop();
  auto copy = check_central_matches_spool(central, home.spool_dir());
  auto kinds = central_kinds(central);
  CHECK(kinds["admitted"] == ok);
  CHECK(kinds["completed"] == ok);
  MESSAGE("requests: " << ok << " (" << ok - at_outage << " after the outage began), central records: "
                       << copy.stored);
  CHECK(central.process().stderr_text().find(k_enrollment_token) == std::string::npos);
}
