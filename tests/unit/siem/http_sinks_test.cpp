// Splunk HEC and OTLP sinks against an in-test HTTP receiver (cpp-httplib on port 0) that checks
// the wire format and can fail or hang on command.
#include <doctest/doctest.h>

#include <cstdlib>
#include <deque>
#include <httplib.h>
#include <thread>

#include "core/siem/format.hpp"
#include "core/siem/runner.hpp"
#include "core/siem/sinks.hpp"
#include "siem_events.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace gw::siem;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct Received {
  std::string path, authorization, content_type, body;
};

class Receiver {
public:
  Receiver() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      std::unique_lock lock(m_mu);
      m_cv.wait(lock, [&] { return !m_hold; });
      int status = 200;
      if (!m_script.empty()) {
        status = m_script.front();
        m_script.pop_front();
      }
      if (status == 200)
        m_got.push_back({req.path, req.get_header_value("Authorization"),
                         req.get_header_value("Content-Type"), req.body});
      else
        ++m_refused;
      if (status == 503) res.set_header("Retry-After", "0");
      res.status = status;
      res.set_content(status == 200 ? R"({"text":"Success","code":0})" : R"({"text":"Server is busy","code":9})",
                      "application/json");
      m_cv.notify_all();
    };
    m_server.Post("/services/collector/event", handler);
    m_server.Post("/v1/logs", handler);
    m_port = m_server.bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    // bind_to_any_port already listens: connections queue until the accept loop runs.
  }
  ~Receiver() {
    release();
    m_server.stop();
    m_thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  void script(std::initializer_list<int> statuses) {
    std::lock_guard lock(m_mu);
    m_script.insert(m_script.end(), statuses);
  }
  void hold() { std::lock_guard lock(m_mu); m_hold = true; }
  void release() {
    { std::lock_guard lock(m_mu); m_hold = false; }
    m_cv.notify_all();
  }
  std::vector<Received> got() { std::lock_guard lock(m_mu); return m_got; }
  int refused() { std::lock_guard lock(m_mu); return m_refused; }

private:
  httplib::Server m_server;
  int m_port = 0;
  std::thread m_thread;
  std::mutex m_mu;
  std::condition_variable m_cv;
  std::deque<int> m_script;
  std::vector<Received> m_got;
  int m_refused = 0;
  bool m_hold = false;
};

class MemoryCursors final : public CursorStore {
public:
  gw::Result<uint64_t> load(const std::string& n) override { std::lock_guard l(m); return pos[n]; }
  gw::Status save(const std::string& n, uint64_t p) override { std::lock_guard l(m); pos[n] = p; return {}; }
  std::mutex m;
  std::map<std::string, uint64_t> pos;
};

SinkConfig hec_config(const std::string& url) {
  ::setenv("GW_TEST_HEC_TOKEN", "11111111-2222-3333-4444-555555555555", 1);
  SinkConfig cfg;
  cfg.name = "hec";
  cfg.type = SinkType::splunk_hec;
  cfg.destination = url;
  cfg.token_env = "GW_TEST_HEC_TOKEN";
  cfg.timeout_ms = 5000;
  return cfg;
}

RunnerOptions fast(const std::string& name, size_t batch) {
  return RunnerOptions{.name = name, .batch_max = batch, .retry_initial_ms = 1, .retry_max_ms = 20, .idle_poll = 20ms};
}

}  // namespace

TEST_CASE("HEC sink: batched events POSTed to /services/collector/event with the Splunk token") {
  Receiver rx;
  MemoryFeed feed;
  test::fill(feed, 5);
  auto sink = make_hec_sink(hec_config(rx.url()));
  REQUIRE(sink);
  REQUIRE((*sink)->deliver(*feed.read_after(0, 5)));
  auto got = rx.got();
  REQUIRE(got.size() == 1);
  CHECK(got[0].path == "/services/collector/event");
  CHECK(got[0].authorization == "Splunk 11111111-2222-3333-4444-555555555555");
  CHECK(got[0].content_type == "application/json");
  size_t n = 0;
  std::istringstream lines(got[0].body);
  for (std::string line; std::getline(lines, line); ++n) {
    json e = json::parse(line);
    CHECK(e["event"]["seq"] == n + 1);
    CHECK(e["sourcetype"] == "gw:audit");
  }
  CHECK(n == 5);
}

TEST_CASE("HEC sink: 503 is retryable (Retry-After honoured), 403 is not, and the token never appears in errors") {
  Receiver rx;
  MemoryFeed feed;
  test::fill(feed, 1);
  auto sink = make_hec_sink(hec_config(rx.url()));
  REQUIRE(sink);
  rx.script({503, 403});
  auto busy = (*sink)->deliver(*feed.read_after(0, 1));
  REQUIRE_FALSE(busy);
  CHECK(busy.error().retryable);
  CHECK(busy.error().retry_after_ms == 0);
  CHECK(busy.error().message.find("answered HTTP 503") != std::string::npos);
  auto denied = (*sink)->deliver(*feed.read_after(0, 1));
  REQUIRE_FALSE(denied);
  CHECK_FALSE(denied.error().retryable);
  CHECK(denied.error().message.find("HTTP 403") != std::string::npos);
  CHECK(denied.error().message.find("11111111-2222") == std::string::npos);  // never the token
}

TEST_CASE("HEC sink: a missing token variable is a config error naming it") {
  SinkConfig cfg = hec_config("http://127.0.0.1:1");
  cfg.token_env = "GW_TEST_HEC_TOKEN_UNSET";
  ::unsetenv("GW_TEST_HEC_TOKEN_UNSET");
  auto sink = make_hec_sink(cfg);
  REQUIRE_FALSE(sink);
  CHECK(sink.error().message == "siem sink 'hec': environment variable GW_TEST_HEC_TOKEN_UNSET (token_env) is not set; set it to the HEC token");
}

TEST_CASE("HEC through a runner: failures are retried, nothing lost or reordered") {
  Receiver rx;
  MemoryFeed feed;
  MemoryCursors cursors;
  test::fill(feed, 30);
  rx.script({500, 503, 503});
  auto sink = make_hec_sink(hec_config(rx.url()));
  REQUIRE(sink);
  SinkRunner runner(fast("hec", 7), std::move(*sink), feed, cursors);
  REQUIRE(runner.start());
  REQUIRE(runner.wait_for_cursor(30, 20s));
  runner.stop();
  CHECK(rx.refused() == 3);
  std::vector<uint64_t> seqs;
  for (const auto& r : rx.got()) {
    std::istringstream lines(r.body);
    for (std::string line; std::getline(lines, line);) seqs.push_back(json::parse(line)["event"]["seq"].get<uint64_t>());
  }
  REQUIRE(seqs.size() == 30);
  for (size_t i = 0; i < 30; ++i) CHECK(seqs[i] == i + 1);
}

TEST_CASE("OTLP sink: /v1/logs with the OTLP JSON shape; a hung collector does not block HEC") {
  Receiver otlp_rx, hec_rx;
  MemoryFeed feed;
  MemoryCursors cursors;
  otlp_rx.hold();
  SinkConfig ocfg;
  ocfg.name = "otlp";
  ocfg.type = SinkType::otlp;
  ocfg.destination = otlp_rx.url();
  ocfg.timeout_ms = 30000;
  ocfg.headers_env = {{"X-Api-Key", "GW_TEST_OTLP_KEY"}};
  ::setenv("GW_TEST_OTLP_KEY", "k-123", 1);
  auto osink = make_otlp_sink(ocfg);
  REQUIRE(osink);
  auto hsink = make_hec_sink(hec_config(hec_rx.url()));
  REQUIRE(hsink);
  SinkRunner o(fast("otlp", 100), std::move(*osink), feed, cursors);
  SinkRunner h(fast("hec", 100), std::move(*hsink), feed, cursors);
  REQUIRE(o.start());
  REQUIRE(h.start());
  test::fill(feed, 12);
  CHECK(h.wait_for_cursor(12, 20s));  // while the OTLP collector hangs
  CHECK(o.status().cursor == 0);
  otlp_rx.release();
  REQUIRE(o.wait_for_cursor(12, 20s));
  o.stop();
  h.stop();
  size_t records = 0;
  for (const auto& r : otlp_rx.got()) {
    CHECK(r.path == "/v1/logs");
    CHECK(r.content_type == "application/json");
    json body = json::parse(r.body);
    for (const auto& rec : body["resourceLogs"][0]["scopeLogs"][0]["logRecords"]) {
      CHECK(rec["eventName"] == "gw.audit.completed");
      ++records;
    }
  }
  CHECK(records == 12);
}

TEST_CASE("exports never carry a planted secret, only its fingerprint") {
  MemoryFeed feed;
  test::fill(feed, 2);
  auto batch = *feed.read_after(0, 10);
  SinkConfig cfg;
  for (auto fmt : {gw::audit::ExportFormat::jsonl, gw::audit::ExportFormat::ocsf, gw::audit::ExportFormat::ecs}) {
    cfg.format = fmt;
    std::string body = hec_body(batch, cfg);
    CHECK(body.find(test::k_planted_secret) == std::string::npos);
    CHECK(body.find(gw::fingerprint(test::k_planted_secret)) != std::string::npos);
  }
  std::string otlp = otlp_logs_request(batch, "0.1.0").dump();
  CHECK(otlp.find(test::k_planted_secret) == std::string::npos);
  std::string sys = syslog_message(parse_record(batch[0]), 1, batch[0].json, {}, 65536);
  CHECK(sys.find(test::k_planted_secret) == std::string::npos);
}

TEST_CASE("HEC sink over HTTPS: trusts the collector through ca_file, refuses it without") {
  gw::test::TempDir dir("gw-siem-tls");
  auto tls = gw::test::make_self_signed_cert(dir.path());
  httplib::SSLServer server(tls.cert.c_str(), tls.key.c_str());
  REQUIRE(server.is_valid());
  std::atomic<int> received{0};
  server.Post("/services/collector/event", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization").starts_with("Splunk ")) ++received;
    res.set_content(R"({"text":"Success","code":0})", "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  MemoryFeed feed;
  test::fill(feed, 3);
  SinkConfig cfg = hec_config("https://127.0.0.1:" + std::to_string(port));
  auto untrusted = make_hec_sink(cfg);
  REQUIRE(untrusted);
  auto refused = (*untrusted)->deliver(*feed.read_after(0, 3));
  cfg.ca_file = tls.cert.string();
  auto trusted = make_hec_sink(cfg);
  REQUIRE(trusted);
  auto ok = (*trusted)->deliver(*feed.read_after(0, 3));
  server.stop();
  t.join();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("cannot reach https://127.0.0.1:" + std::to_string(port)) != std::string::npos);
  CHECK(ok);
  CHECK(received == 1);
}
