// SIEM export through a real `gw serve`: a device's forwarder ships its spool, the central stores
// it, and the [[siem]] sinks of server.toml export every event (a JSONL file and Splunk HEC to a
// receiver in the test); after a central restart the sinks resume from their cursors.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "core/audit/forwarder.hpp"
#include "core/audit/forwarder_http.hpp"
#include "core/audit/spool.hpp"
#include "core/common/crypto.hpp"
#include "tests/support/central.hpp"
#include "tests/support/file_watch.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string k_secret = "sk-ant-api03-PlantedSecretNeverExported0123456789";
const std::string k_hec_token = "9f0c1d2e-3a4b-5c6d-7e8f-001122334455";

struct HecReceiver {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<json> events;
  std::string raw;
  std::set<std::string> auth;
  HecReceiver() {
    server.Post("/services/collector/event", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      auth.insert(req.get_header_value("Authorization"));
      raw += req.body;
      std::istringstream lines(req.body);
      for (std::string l; std::getline(lines, l);) events.push_back(json::parse(l, nullptr, false));
      res.set_content(R"({"text":"Success","code":0})", "application/json");
      cv.notify_all();
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~HecReceiver() {
    server.stop();
    thread.join();
  }
  bool wait_for(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return events.size() >= n; });
  }
};

struct Device {
  test::TempDir home{"gw-device"};
  audit::FileDeviceKeyStore keys{home.path()};
  std::unique_ptr<audit::Spool> spool;
  std::unique_ptr<audit::Forwarder> forwarder;
  SystemClock clock;
  Device(const std::string& url) {
    audit::SpoolOptions o;
    o.dir = home.path() / "audit";
    auto s = audit::Spool::open(o, keys);
    REQUIRE(s);
    spool = std::move(*s);
    auto t = audit::make_http_transport({.url = url, .token = test::k_enrollment_token});
    REQUIRE(t);
    audit::ForwarderOptions fo;
    fo.max_batch_records = 25;
    fo.min_backoff_ms = 20;
    fo.max_backoff_ms = 200;
    fo.idle_poll_ms = 20;
    forwarder = std::make_unique<audit::Forwarder>(*spool, *keys.load_or_create(), std::move(*t), fo, clock);
    forwarder->start();
  }
  void append(int n) {
    for (int i = 0; i < n; ++i) {
      audit::AuditEvent ev;
      ev.kind = audit::EventKind::completed;
      ev.user = "alice@example.com";
      ev.provider = "anthropic";
      ev.model = "claude-sonnet-4-5";
      ev.http_status = 200;
      ev.decision = audit::Decision::redacted;
      ev.findings = {{"anthropic-api-key", "messages[0].content", gw::fingerprint(k_secret)}};
      REQUIRE(spool->append_durable(ev));
    }
  }
};

std::vector<json> file_events(const fs::path& p) {
  std::vector<json> out;
  std::ifstream in(p);
  for (std::string l; std::getline(in, l);) {
    json j = json::parse(l, nullptr, false);
    if (j.is_object() && j.value("record", "") == "event" && j.value("kind", "") == "completed") out.push_back(j);
  }
  return out;
}

// The file is written by the gw serve process: wake on its writes (inotify), never poll.
bool wait_for_file(const fs::path& p, size_t n, std::chrono::milliseconds timeout) {
  return test::wait_for_file_change(p, [&] { return file_events(p).size() >= n; }, timeout);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("siem via gw serve: every ingested event reaches the file and HEC sinks; a restart resumes without loss or repeats") {
  HecReceiver hec;
  test::TempDir secrets("gw-siem-secrets");
  std::ofstream(secrets.path() / "hec.token") << k_hec_token << "\n";
  test::Central central("[[siem]]\nname = \"archive\"\ntype = \"file\"\ndestination = \"siem/audit.jsonl\"\n"
                        "[[siem]]\ntype = \"splunk_hec\"\nformat = \"ocsf\"\ndestination = \"http://127.0.0.1:" +
                        std::to_string(hec.port) + "\"\ntoken_file = \"" + (secrets.path() / "hec.token").string() +
                        "\"\nretry_initial_ms = 20\nretry_max_ms = 200\n");
  fs::path out = central.dir() / "siem" / "audit.jsonl";
  CHECK(central.process().wait_for_output("siem export started", 10s));

  Device dev(central.url());
  dev.append(60);
  REQUIRE(dev.forwarder->wait_for_ack(dev.spool->last_seq(), 20s));
  REQUIRE(wait_for_file(out, 60, 20s));
  REQUIRE(hec.wait_for(60, 20s));

  central.stop();
  dev.append(20);  // the central is down: the forwarder retries
  central.start();
  REQUIRE(dev.forwarder->wait_for_ack(dev.spool->last_seq(), 30s));
  REQUIRE(wait_for_file(out, 80, 20s));
  REQUIRE(hec.wait_for(80, 20s));
  central.stop();

  // The file holds each device event exactly once, in the device's order.
  auto events = file_events(out);
  REQUIRE(events.size() == 80);
  for (size_t i = 1; i < events.size(); ++i) CHECK(events[i]["seq"] > events[i - 1]["seq"]);
  {
    std::lock_guard lock(hec.mu);
    CHECK(hec.auth == std::set<std::string>{"Splunk " + k_hec_token});
    std::map<int64_t, int> seen;
    for (const auto& e : hec.events) {
      REQUIRE(e.is_object());
      CHECK(e["sourcetype"] == "gw:audit");
      if (e["event"].value("activity_name", "") == "completed") {
        CHECK(e["event"]["class_uid"] == 6003);
        ++seen[e["event"]["metadata"]["sequence"].get<int64_t>()];
      }
    }
    CHECK(seen.size() == 80);
    for (auto [seq, n] : seen) CHECK_MESSAGE(n == 1, "seq " << seq << " exported " << n << " times");
    CHECK(hec.raw.find(k_secret) == std::string::npos);
  }
  // The planted secret is nowhere: not in the export file, the cursors or the central's log.
  CHECK(slurp(out).find(k_secret) == std::string::npos);
  CHECK(slurp(out).find(gw::fingerprint(k_secret)) != std::string::npos);
  CHECK(central.process().stderr_text().find(k_secret) == std::string::npos);
  CHECK(central.process().stderr_text().find(k_hec_token) == std::string::npos);
  CHECK(fs::exists(central.dir() / "central.db.siem" / "archive.cursor"));
  CHECK(fs::exists(central.dir() / "central.db.siem" / "splunk_hec.cursor"));
}

TEST_CASE("siem via gw serve: a bad [[siem]] entry stops gw serve with file:line:col") {
  test::TempDir dir("gw-siem-badcfg");
  std::ofstream(dir.path() / "server.toml") << "listen = \"127.0.0.1:0\"\n[storage]\npath = \"c.db\"\n"
                                               "[[siem]]\ntype = \"splunk\"\ndestination = \"x\"\n";
  test::ProcessOptions po;
  po.argv = {std::string(GW_BINARY_DIR) + "/gw", "serve", "--config", (dir.path() / "server.toml").string()};
  po.env = test::minimal_env(dir.path());
  test::Process p(po);
  auto code = p.wait(20s);
  REQUIRE(code);
  CHECK(*code != 0);
  CHECK(p.stderr_text().find("server.toml:5:8: siem[0].type: unknown sink type 'splunk' (use file, syslog, splunk_hec or otlp)") != std::string::npos);
}

TEST_CASE("siem via gw serve: kill -9 during export loses nothing; repeats stay within one batch") {
  test::Central central("[[siem]]\nname = \"archive\"\ntype = \"file\"\ndestination = \"siem/audit.jsonl\"\n"
                        "batch_max = 10\nfsync = false\n");
  fs::path out = central.dir() / "siem" / "audit.jsonl";
  Device dev(central.url());
  dev.append(150);
  // Kill the central while the sink is part way through what has arrived.
  REQUIRE(wait_for_file(out, 20, 20s));
  central.kill();
  dev.append(50);
  central.start();
  REQUIRE(dev.forwarder->wait_for_ack(dev.spool->last_seq(), 30s));
  auto distinct = [&] {
    std::set<int64_t> s;
    for (auto& e : file_events(out)) s.insert(e["seq"].get<int64_t>());
    return s;
  };
  (void)test::wait_for_file_change(out, [&] { return distinct().size() >= 200; }, 30s);  // written by gw serve
  central.stop();
  auto events = file_events(out);
  CHECK(distinct().size() == 200);
  size_t repeats = events.size() - distinct().size();
  CHECK_MESSAGE(repeats <= 10, repeats << " events exported twice; the at-least-once window is one batch (10)");
}
