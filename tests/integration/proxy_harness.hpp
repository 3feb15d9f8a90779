#pragma once
// A real `gw serve` with the provider proxy on: a temp dir with a self-signed certificate,
// server.toml ([tls], [storage], [proxy] on 127.0.0.1 port 0) and the proxy's policy (the three
// providers at a FakeProvider, keys read from the server's environment, virtual keys "alice" and
// "bob" by secret hash, audit on). Used by the proxy integration tests and the e2e test.
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/crypto.hpp"
#include "core/config/policy.hpp"
#include "core/storage/sqlite_audit_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sidecar.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::test {

inline constexpr const char* k_alice_secret = "gwk-alice-0123456789abcdef0123456789";
inline constexpr const char* k_bob_secret = "gwk-bob-0123456789abcdef0123456789ab";
inline constexpr const char* k_proxy_device = "central-test";

// The proxy's policy: test_policy() plus virtual keys presented directly, and audit.
inline std::string proxy_policy(const std::string& upstream_base, const std::string& extra = "") {
  return test_policy(upstream_base) + "[keys.alice]\nowner = \"alice@example.com\"\nsecret_hash = \"" +
         config::hash_key_secret(k_alice_secret) +
         "\"\nproviders = [\"anthropic\", \"openai\", \"gemini\"]\nmodels = [\"*\"]\n"
         "[keys.bob]\nowner = \"bob@example.com\"\nsecret_hash = \"" + config::hash_key_secret(k_bob_secret) +
         "\"\nproviders = [\"anthropic\"]\nmodels = [\"claude-*\"]\n[audit]\n" + extra;
}

struct ProxyCentralOptions {
  std::string policy_extra;  // appended to proxy_policy() (after [audit]: start with a table)
  std::string server_extra;  // appended to server.toml
  std::string upstream_base;  // default: the fake's base_url
};

class ProxyCentral {
public:
  ProxyCentral(FakeProvider& fake, ProxyCentralOptions opts = {}) {
    m_tls = make_self_signed_cert(dir());
    std::ofstream(dir() / "proxy-policy.toml")
        << proxy_policy(opts.upstream_base.empty() ? fake.base_url() : opts.upstream_base, opts.policy_extra);
    std::ofstream(dir() / "server.toml")
        << "listen = \"127.0.0.1:0\"\n[tls]\ncert = \"" << m_tls.cert.string() << "\"\nkey = \"" << m_tls.key.string()
        << "\"\n[storage]\npath = \"central.db\"\n[proxy]\nlisten = \"127.0.0.1:0\"\npolicy = \"proxy-policy.toml\"\n"
        << "device_id = \"" << k_proxy_device << "\"\n" << opts.server_extra;
    start();
  }
  ~ProxyCentral() {
    if (m_process && m_process->running()) stop();
  }
  void start() {
    ProcessOptions po;
    po.argv = {std::string(GW_BINARY_DIR) + "/gw", "serve", "--config", (dir() / "server.toml").string()};
    po.env = minimal_env(dir());
    po.env["ANTHROPIC_API_KEY"] = k_anthropic_key;
    po.env["OPENAI_API_KEY"] = k_openai_key;
    po.env["GEMINI_API_KEY"] = k_gemini_key;
    m_process = std::make_unique<Process>(po);
    if (!m_process->wait_for_output("gw serve listening", std::chrono::seconds(20)))
      throw std::runtime_error("gw serve did not start: " + m_process->stderr_text());
    std::istringstream err(m_process->stderr_text());
    for (std::string line; std::getline(err, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.value("msg", "") == "gw serve listening") {
        m_port = j.value("port", 0);
        m_proxy_port = j.value("proxy_port", 0);
      }
    }
    if (m_proxy_port <= 0) throw std::runtime_error("gw serve printed no proxy port: " + m_process->stderr_text());
  }
  // SIGTERM and a clean exit: the proxy hands its audit spool to the store before exiting.
  void stop() {
    m_process->terminate();
    if (!m_process->wait(std::chrono::seconds(20))) m_process->kill();
  }
  const std::filesystem::path& dir() const { return m_dir.path(); }
  int port() const { return m_port; }
  int proxy_port() const { return m_proxy_port; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(m_port); }
  std::string proxy_url() const { return "https://127.0.0.1:" + std::to_string(m_proxy_port); }
  const TlsFiles& tls() const { return m_tls; }
  Process& process() { return *m_process; }
  httplib::Client client() const { return make_client(proxy_url()); }
  std::unique_ptr<storage::SqliteAuditStore> open_store() const {
    auto s = storage::SqliteAuditStore::open(dir() / "central.db");
    if (!s) throw std::runtime_error("cannot open the central store: " + s.error().message);
    return std::move(*s);
  }
  // The event records of the proxy's chain in the store (parsed), oldest first.
  std::vector<nlohmann::json> proxy_events() const {
    auto store = open_store();
    std::vector<nlohmann::json> out;
    auto rows = store->records(k_proxy_device, 0, 1, uint64_t{INT64_MAX});
    if (!rows) throw std::runtime_error(rows.error().message);
    for (const auto& r : *rows)
      if (r.type == "event") out.push_back(nlohmann::json::parse(r.line));
    return out;
  }

private:
  TempDir m_dir{"gw-proxy"};
  TlsFiles m_tls;
  std::unique_ptr<Process> m_process;
  int m_port = 0, m_proxy_port = 0;
};

}  // namespace gw::test
