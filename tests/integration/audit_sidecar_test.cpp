// The audit stage end to end: a real `gw agent` with audit on, a provider that checks the spool
// when a request arrives, the fake provider, `gw audit verify`, and a real disk-full condition.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "tests/integration/audit_harness.hpp"

using namespace gw::test;
using namespace gw::test::audit;
using nlohmann::json;

namespace {

// A one-route Anthropic upstream in this process. For every request it reads the spool at once
// and remembers whether the request's admitted record (found by its agent session id) was
// already there; it answers with fixed usage.
class SpoolCheckingUpstream {
public:
  explicit SpoolCheckingUpstream(std::filesystem::path spool_dir) : m_dir(std::move(spool_dir)) {
    m_server.Post(R"(/v1/messages)", [this](const httplib::Request& req, httplib::Response& res) {
      std::string session = req.get_header_value("X-Claude-Code-Session-Id");
      bool found = false;
      for (const auto& ev : events_of_kind(spool_events(m_dir), "admitted"))
        found = found || ev.value("agent_session_id", "") == session;
      {
        std::lock_guard lk(m_mu);
        m_seen.emplace_back(session, found);
      }
      json reply = {{"id", "msg_1"}, {"type", "message"}, {"role", "assistant"}, {"model", "claude-haiku-4-5"},
                    {"content", {{{"type", "text"}, {"text", "pong"}}}}, {"stop_reason", "end_turn"},
                    {"usage", {{"input_tokens", 1000}, {"output_tokens", 200}}}};
      res.set_content(reply.dump(), "application/json");
    });
    m_port = m_server.bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
  }
  ~SpoolCheckingUpstream() {
    m_server.stop();
    m_thread.join();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  std::vector<std::pair<std::string, bool>> seen() {
    std::lock_guard lk(m_mu);
    return m_seen;
  }

private:
  std::filesystem::path m_dir;
  httplib::Server m_server;
  int m_port = 0;
  std::thread m_thread;
  std::mutex m_mu;
  std::vector<std::pair<std::string, bool>> m_seen;
};

const char* k_planted_aws_key = "AKIAOXYIMCFIPNZB575Y";

}  // namespace

TEST_CASE("audit: each forwarded request's admitted record is in the spool before the provider sees "
          "it; completed records carry usage and cost; denials are recorded; verify passes") {
  // The upstream needs the spool path, the home needs the upstream URL: build the home with a
  // placeholder policy, then write the real one before starting.
  AuditHome home("");
  SpoolCheckingUpstream upstream(home.spool_dir());
  std::ofstream(home.paths().config_dir / "policy.toml", std::ios::trunc)
      << test_policy(upstream.base_url()) << "[audit]\ncheckpoint_every_events = 5\n";
  home.start();
  std::string token = home.mint();

  constexpr int k_threads = 4, k_per_thread = 5;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < k_threads; ++t)
    clients.emplace_back([&, t] {
      for (int i = 0; i < k_per_thread; ++i) {
        auto r = home.post_claude(token, "sess-" + std::to_string(t) + "-" + std::to_string(i), messages_body("say pong"));
        if (r.status == 200) ++ok;
      }
    });
  for (auto& c : clients) c.join();
  CHECK(ok == k_threads * k_per_thread);
  // Denied: an unknown session token never reaches the provider but is recorded.
  auto denied = home.post_claude("gws_not-a-session", "sess-denied", messages_body("say pong"));
  CHECK(denied.status == 401);
  home.stop();  // drains the spool

  auto seen = upstream.seen();
  CHECK(seen.size() == size_t(k_threads * k_per_thread));
  for (const auto& [session, found] : seen) {
    INFO("agent session " << session);
    CHECK(found);
  }
  auto evs = spool_events(home.spool_dir());
  auto admitted = events_of_kind(evs, "admitted");
  auto completed = events_of_kind(evs, "completed");
  CHECK(admitted.size() == size_t(k_threads * k_per_thread));
  REQUIRE(completed.size() == size_t(k_threads * k_per_thread));
  for (const auto& c : completed) {
    CHECK(c["http_status"] == 200);
    CHECK(c["usage"]["input"] == 1000);
    CHECK(c["usage"]["output"] == 200);
    CHECK(c["cost_nano_usd"].get<int64_t>() > 0);
    CHECK(c["decision"] == "allowed");
    CHECK(c["agent"] == "claude-code");
    CHECK(c["virtual_key_id"] == "dev");
    CHECK(c["user"] == "dev@example.com");
    CHECK(c["provider"] == "anthropic");
    CHECK(c["model"] == "claude-haiku-4-5");
    CHECK(c["endpoint"] == "POST /anthropic/v1/messages");
    CHECK(c["policy_version"] == "test");
    CHECK(c["latency_us"]["total"].get<int64_t>() > 0);
    CHECK(c["bytes_out"].get<int64_t>() > 0);
    // The admitted record of the same request comes first.
    bool has_admitted = false;
    for (const auto& a : admitted) has_admitted = has_admitted || a["request_id"] == c["request_id"];
    CHECK(has_admitted);
  }
  auto denials = events_of_kind(evs, "denied");
  REQUIRE(denials.size() == 1);
  CHECK(denials[0]["http_status"] == 401);
  CHECK(denials[0]["decision"] == "denied");
  CHECK(denials[0]["agent_session_id"] == "sess-denied");
  CHECK(denials[0]["reason"].get<std::string>().find("session token is unknown") != std::string::npos);

  auto [code, out] = home.gw({"audit", "verify"});
  INFO(out);
  CHECK(code == 0);
}

TEST_CASE("audit: a secret planted in a prompt never reaches the spool or a log; with log_content "
          "on, the recorded content is redacted") {
  FakeProvider fake;
  for (bool log_content : {false, true}) {
    CAPTURE(log_content);
    AuditHome home(test_policy(fake.base_url()) + (log_content ? "[audit]\nlog_content = true\n" : ""));
    home.start();
    std::string token = home.mint();
    std::string prompt = std::string("deploy with aws_access_key_id = ") + k_planted_aws_key + " please";
    auto r = home.post_claude(token, "sess-secret", messages_body(prompt, true));
    CHECK(r.status == 200);
    home.stop();
    std::string spool = spool_text(home.spool_dir());
    CHECK(spool.find(k_planted_aws_key) == std::string::npos);
    CHECK(home.process_output_free_of(k_planted_aws_key));
    auto admitted = events_of_kind(spool_events(home.spool_dir()), "admitted");
    REQUIRE(admitted.size() == 1);
    if (log_content) {
      std::string content = admitted[0].value("content", "");
      CHECK(content.find("[REDACTED:aws-access-key-id:") != std::string::npos);
      CHECK(content.find("deploy with") != std::string::npos);
    } else {
      CHECK_FALSE(admitted[0].contains("content"));
    }
  }
}

TEST_CASE("audit: a real disk-full condition (RLIMIT_FSIZE -> EFBIG) refuses requests with a clear "
          "message, corrupts nothing, and recovers with a gap record when space returns") {
  FakeProvider fake;
  AuditHome home(test_policy(fake.base_url()));
  home.start();
  std::string token = home.mint();
  REQUIRE(home.post_claude(token, "sess-before", messages_body("say pong")).status == 200);
  // Whether that request's completed record is already on disk or not does not matter: if it
  // is not, it is lost to the full disk too, and the gap record counts it.
  auto seg_size = [&] { return spool_text(home.spool_dir()).size(); };
  pid_t pid = home.process().pid();
  set_file_size_limit(pid, seg_size());  // the segment cannot grow by a single byte

  auto refused = home.post_claude(token, "sess-full", messages_body("say pong"));
  CHECK(refused.status == 400);
  CHECK(refused.body.find("audit spool cannot record this request") != std::string::npos);
  CHECK(refused.body.find("File too large") != std::string::npos);
  auto [code_full, out_full] = home.gw({"audit", "verify"});
  INFO(out_full);
  CHECK(code_full == 0);
  for (const auto& req : fake.requests()) CHECK(logged_header(req, "X-Claude-Code-Session-Id") != "sess-full");

  set_file_size_limit(pid, RLIM_INFINITY);
  CHECK(home.post_claude(token, "sess-after", messages_body("say pong")).status == 200);
  home.stop();
  auto evs = spool_events(home.spool_dir());
  auto gaps = events_of_kind(evs, "gap");
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0]["reason"].get<std::string>().find("1 requests were refused") != std::string::npos);
  auto [code, out] = home.gw({"audit", "verify"});
  INFO(out);
  CHECK(code == 0);
}
