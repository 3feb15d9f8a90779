// gw login / gw logout and the sidecar's central key sync (ADR 0049), against a stand-in central
// that answers GET /v1/keys/self from a record the test changes (revoke, disable). The real
// `gw serve` with its key directory is exercised by login_central_test.cpp and the e2e test.
#include <doctest/doctest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/common/crypto.hpp"
#include "core/config/central_key.hpp"
#include "tests/support/gw_cli.hpp"
#include "tests/support/sidecar.hpp"

using namespace gw::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string k_key = "gwk_alice-central-key-0123456789abcdef";
const std::string k_body = R"({"model":"claude-haiku-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";

// Answers /v1/keys/self for k_key with `record` (403 with the record once revoked/disabled, as
// gw serve does), 401 for anything else; counts the calls.
class StandInCentral {
public:
  StandInCentral() {
    m_record.id = "alice";
    m_record.owner = "alice@example.com";
    m_record.team = "payments";
    m_record.revision = 3;
    m_server.Get("/v1/keys/self", [this](const httplib::Request& req, httplib::Response& res) {
      ++m_calls;
      if (req.get_header_value("Authorization") != "Bearer " + k_key) {
        res.status = 401;
        res.set_content(json{{"error", {{"code", "unauthorized"}, {"message", "unknown key"}}}}.dump(), "application/json");
        return;
      }
      std::lock_guard lock(m_mutex);
      json body = gw::config::to_json(m_record);
      if (m_record.revoked || !m_record.enabled) {
        res.status = 403;
        body["error"] = {{"code", "key_revoked"}, {"message", "revoked"}};
      }
      res.set_content(body.dump(), "application/json");
    });
    m_port = m_server.bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    // bind_to_any_port already listens: connections queue until the accept loop runs.
  }
  ~StandInCentral() {
    m_server.stop();
    m_thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  void revoke(const std::string& by, const std::string& reason) {
    std::lock_guard lock(m_mutex);
    m_record.revoked = true;
    m_record.revoked_by = by;
    m_record.revoked_reason = reason;
    m_record.revoked_at_ms = 1'764'033'000'000;
    ++m_record.revision;
  }
  int calls() const { return m_calls.load(); }

private:
  httplib::Server m_server;
  std::thread m_thread;
  int m_port = 0;
  std::mutex m_mutex;
  gw::config::CentralKeyRecord m_record;
  std::atomic<int> m_calls{0};
};

Env file_store_env(const Env& base) {
  Env env = base;
  env["GW_SECRET_BACKEND"] = "file";
  return env;
}

}  // namespace

TEST_CASE("gw login: checks the key with the central, keeps it in the credential store and writes central.toml") {
  StandInCentral central;
  FakeProvider fake;
  Sidecar gw(fake, {.extra_env = {{"GW_SECRET_BACKEND", "file"}}});
  Env env = file_store_env(gw.env());

  auto wrong = run_gw(env, {"login", "--server", central.url()}, std::string("gwk_not-a-key\n"));
  CHECK(wrong.code != 0);
  CHECK(wrong.err.find("does not know this key") != std::string::npos);
  CHECK_FALSE(fs::exists(gw.paths().config_dir / "central.toml"));

  auto ok = run_gw(env, {"login", "--server", central.url()}, k_key + "\n");
  REQUIRE_MESSAGE(ok.code == 0, ok.err);
  CHECK(ok.out.find("logged in to " + central.url() + " as alice@example.com (key alice, team payments)") != std::string::npos);
  CHECK(ok.out.find(k_key) == std::string::npos);
  CHECK(ok.err.find("plain file") != std::string::npos);  // the fallback store warns
  CHECK(ok.out.find("switched") != std::string::npos);     // the running sidecar took it

  std::ifstream toml(gw.paths().config_dir / "central.toml");
  std::string text((std::istreambuf_iterator<char>(toml)), std::istreambuf_iterator<char>());
  CHECK(text.find(central.url()) != std::string::npos);
  CHECK(text.find(k_key) == std::string::npos);
  fs::path creds = gw.paths().state_dir / "secrets" / "credentials.json";
  struct stat st {};
  REQUIRE(::stat(creds.c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);

  // Launcher sessions now run as the central key: gw status names it.
  auto status = gw.status();
  REQUIRE(status["login"].is_object());
  CHECK(status["login"]["key"] == "alice");
  CHECK(status["login"]["owner"] == "alice@example.com");
  auto shown = run_gw(env, {"status"});
  CHECK(shown.out.find("login:      alice@example.com (key alice, team payments)") != std::string::npos);

  auto out = run_gw(env, {"logout"});
  CHECK(out.code == 0);
  CHECK(out.out.find("logged out") != std::string::npos);
  CHECK_FALSE(fs::exists(gw.paths().config_dir / "central.toml"));
  CHECK(gw.status()["login"].is_null());
}

TEST_CASE("gw login: a revocation at the central reaches a running sidecar and refuses the next request") {
  StandInCentral central;
  FakeProvider fake;
  Sidecar gw(fake, {.extra_env = {{"GW_SECRET_BACKEND", "file"}}});
  Env env = file_store_env(gw.env());
  fs::create_directories(gw.paths().config_dir);
  std::ofstream(gw.paths().config_dir / "central.toml") << "url = \"" << central.url() << "\"\nkey_poll_seconds = 1\n";
  auto login = run_gw(env, {"login", "--server", central.url()}, k_key);
  REQUIRE_MESSAGE(login.code == 0, login.err);
  CHECK(std::ifstream(gw.paths().config_dir / "central.toml").good());

  std::string token = gw.mint();
  auto cli = gw.client();
  httplib::Headers h = {{"Authorization", "Bearer " + token}, {"anthropic-version", "2023-06-01"}};
  auto before = cli.Post("/anthropic/v1/messages", h, k_body, "application/json");
  REQUIRE(before);
  CHECK(before->status == 200);

  central.revoke("admin:it-ops", "laptop lost");
  // Wait for a key sync that starts after the revocation (polled every ~1 s).
  auto waited = gw::agent::control_call(gw.paths(), {{"op", "key_wait"}, {"timeout_ms", 5000}}, 10000);
  REQUIRE(waited);
  CHECK((*waited)["ok"] == true);

  auto after = cli.Post("/anthropic/v1/messages", h, k_body, "application/json");
  REQUIRE(after);
  CHECK(after->status == 400);  // the refusal status Claude Code does not retry (policy_denial.hpp)
  CHECK(after->body.find("was revoked by admin:it-ops") != std::string::npos);
  CHECK(after->body.find("laptop lost") != std::string::npos);
  CHECK(after->body.find("gw login --server " + central.url()) != std::string::npos);
  size_t forwarded = fake.requests().size();
  CHECK(forwarded == 1);

  // A new session is refused at once, with the same message.
  auto minted = gw::agent::mint_session(gw.paths(), "claude-code", ::getpid(), 600);
  REQUIRE_FALSE(minted);
  CHECK(minted.error().message.find("was revoked") != std::string::npos);

}
