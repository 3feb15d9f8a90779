// The syslog sink against a real rsyslogd started by the test (Debian package `rsyslog`).
//
// Ports: rsyslog's imtcp accepts port="0" and writes the port it bound to listenPortFileName, so
// TCP needs no guessing. imudp (rsyslog 8.2302) has no such option, so the UDP port is chosen by
// binding port 0, reading the number and releasing it; if another process takes it in between,
// rsyslogd cannot bind, the probe datagrams never arrive, and the test starts rsyslogd again on
// a fresh port (up to 3 times).
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/audit/event.hpp"
#include "core/common/crypto.hpp"
#include "core/siem/config_toml.hpp"
#include "core/siem/exporters.hpp"
#include "tests/support/file_watch.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string k_secret = "ghp_PlantedSecretValue0123456789abcdefXYZ";

std::string event_json(uint64_t seq) {
  gw::audit::AuditEvent ev;
  ev.seq = seq;
  ev.prev = std::string(64, '0');
  ev.id = "0194bd2c-5a3b-7c1e-9f00-" + std::to_string(100000000000 + seq);
  ev.kind = seq % 5 == 0 ? gw::audit::EventKind::denied : gw::audit::EventKind::completed;
  ev.time_ms = 1738324800000 + static_cast<int64_t>(seq);
  ev.device_id = "dev-595bd6fa6d301424";
  ev.user = "alice@example.com";
  ev.team = "platform";
  ev.provider = "anthropic";
  ev.model = "claude-sonnet-4-5";
  ev.endpoint = "POST /v1/messages";
  ev.http_status = ev.kind == gw::audit::EventKind::denied ? 403 : 200;
  ev.findings = {{"github-pat", "messages[0].content", gw::fingerprint(k_secret)}};
  ev.usage = gw::audit::Usage{100 + static_cast<int64_t>(seq), 7, 0, 0, 0};
  ev.gw_version = "0.1.0";
  return gw::audit::serialize_event(ev);
}

std::vector<json> read_lines(const fs::path& p) {
  std::vector<json> out;
  std::ifstream in(p);
  for (std::string l; std::getline(in, l);)
    if (auto j = json::parse(l, nullptr, false); !j.is_discarded()) out.push_back(j);
  return out;
}

// Waits until `pred` holds for the lines of the file rsyslogd writes, re-reading it on every
// write (inotify), or the deadline passes.
template <class Pred>
bool wait_for_lines(const fs::path& p, Pred pred, std::chrono::milliseconds timeout) {
  return gw::test::wait_for_file_change(p, [&] { return pred(read_lines(p)); }, timeout);
}

int free_udp_port() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool tcp_accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

void send_udp(int port, const std::string& msg) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::close(fd);
}

// rsyslogd in the foreground with TCP and UDP inputs on loopback, writing each message it parsed
// as one JSON line of RFC 5424 fields to out.jsonl.
class Rsyslog {
public:
  // tcp_port 0: any free port (reported by rsyslogd); else that port (a restart "in place").
  explicit Rsyslog(const fs::path& dir, int tcp_port = 0) : m_dir(dir), m_fixed_tcp_port(tcp_port) {
    gw::test::Env env = gw::test::minimal_env(dir);
    env["PATH"] = "/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin";
    auto exe = gw::test::find_program("rsyslogd", env);
    REQUIRE_MESSAGE(exe, "rsyslogd not found: install the rsyslog package (installers/install.sh --deps-only)");
    for (int attempt = 0; attempt < 3 && !m_proc; ++attempt) {
      fs::remove(dir / "tcp.port");
      fs::remove(dir / "out.jsonl");
      m_udp_port = free_udp_port();
      write_config();
      auto p = std::make_unique<gw::test::Process>(gw::test::ProcessOptions{
          .argv = {exe->string(), "-n", "-f", (dir / "rsyslog.conf").string(), "-i", (dir / "rsyslogd.pid").string()},
          .env = env});
      if (!probe_udp() || !wait_for_tcp_port(*p)) continue;
      m_proc = std::move(p);
    }
    REQUIRE_MESSAGE(m_proc, "rsyslogd did not start listening (see its stderr)");
  }
  int tcp_port() const { return m_tcp_port; }
  int udp_port() const { return m_udp_port; }
  fs::path out() const { return m_dir / "out.jsonl"; }
  // The messages gw sent (probes filtered out).
  std::vector<json> received() const {
    std::vector<json> out;
    for (auto& j : read_lines(this->out()))
      if (j.value("msgid", "") != "probe") out.push_back(j);
    return out;
  }

private:
  void write_config() {
    std::ofstream c(m_dir / "rsyslog.conf");
    c << "global(workDirectory=\"" << m_dir.string() << "\" maxMessageSize=\"64k\")\n"
      << "module(load=\"imtcp\")\nmodule(load=\"imudp\")\n"
      << "template(name=\"j\" type=\"list\" option.jsonf=\"on\") {\n";
    for (auto [out, prop] : std::initializer_list<std::pair<const char*, const char*>>{
             {"pri", "pri"}, {"facility", "syslogfacility"}, {"severity", "syslogseverity"},
             {"version", "protocol-version"}, {"hostname", "hostname"}, {"app", "app-name"},
             {"procid", "procid"}, {"msgid", "msgid"}, {"sd", "structured-data"}, {"msg", "msg"},
             {"input", "inputname"}})
      c << "  property(outname=\"" << out << "\" name=\"" << prop << "\" format=\"jsonf\")\n";
    c << "  property(outname=\"timestamp\" name=\"timereported\" dateFormat=\"rfc3339\" format=\"jsonf\")\n}\n"
      << "ruleset(name=\"r\") { action(type=\"omfile\" file=\"" << out().string() << "\" template=\"j\") }\n"
      << "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << m_fixed_tcp_port << "\" listenPortFileName=\""
      << (m_dir / "tcp.port").string() << "\" ruleset=\"r\")\n"
      << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << m_udp_port << "\" ruleset=\"r\")\n";
  }
  // rsyslogd writes listenPortFileName only for port 0: wait for that file (inotify). A fixed
  // port is probed by connecting after the UDP probe went through (the inputs start together);
  // each retry waits for one more probe round trip through rsyslogd, not for a timer.
  bool wait_for_tcp_port(gw::test::Process& p) {
    if (m_fixed_tcp_port > 0) {
      auto deadline = std::chrono::steady_clock::now() + 15s;
      while (std::chrono::steady_clock::now() < deadline && p.running()) {
        if (!probe_udp()) return false;
        if (tcp_accepts(m_fixed_tcp_port)) {
          m_tcp_port = m_fixed_tcp_port;
          return true;
        }
      }
      return false;
    }
    return gw::test::wait_for_file_change(m_dir / "tcp.port", [&] {
      std::ifstream in(m_dir / "tcp.port");
      return !p.running() || (in >> m_tcp_port && m_tcp_port > 0);
    }, 15s) && m_tcp_port > 0;
  }
  // UDP has no handshake: rsyslogd listens once a probe datagram shows up in the output. Each
  // call waits for one more probe than was there (resent every 200 ms while datagrams are lost).
  bool probe_udp() {
    auto probes = [&] {
      size_t n = 0;
      for (auto& l : read_lines(out())) n += l.value("msgid", "") == "probe";
      return n;
    };
    const size_t before = probes();
    std::string probe = "<14>1 - - gw-test - probe - ready";
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      send_udp(m_udp_port, probe);
      if (wait_for_lines(out(), [&](const std::vector<json>&) { return probes() > before; }, 200ms)) return true;
    }
    return false;
  }

  fs::path m_dir;
  int m_fixed_tcp_port = 0;
  int m_tcp_port = 0;
  int m_udp_port = 0;
  std::unique_ptr<gw::test::Process> m_proc;
};

gw::siem::SiemConfig siem_config(const std::string& toml_text) {
  auto parsed = toml::parse(toml_text, std::string_view("server.toml"));
  REQUIRE(parsed);
  auto cfg = gw::siem::decode_siem(parsed.table(), "server.toml");
  REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.error().message));
  return *cfg;
}

void check_rfc5424_fields(const std::vector<json>& got, size_t n, const std::string& input) {
  REQUIRE(got.size() == n);
  for (size_t i = 0; i < n; ++i) {
    const json& m = got[i];
    uint64_t seq = i + 1;
    bool denied = seq % 5 == 0;
    CHECK(m["input"] == input);
    CHECK(m["version"] == "1");
    CHECK(m["facility"] == "4");  // auth
    CHECK(m["severity"] == (denied ? "5" : "6"));
    CHECK(m["pri"] == std::to_string(4 * 8 + (denied ? 5 : 6)));
    CHECK(m["hostname"] == "central-test");
    CHECK(m["app"] == "gw-central");
    CHECK(m["procid"] == std::to_string(::getpid()));
    CHECK(m["msgid"] == (denied ? "denied" : "completed"));
    CHECK(m["timestamp"].get<std::string>().starts_with("2025-01-31T12:00:00."));
    std::string sd = m["sd"];
    CHECK(sd.starts_with("[gw@32473 position=\"" + std::to_string(seq) + "\" seq=\"" + std::to_string(seq) + "\""));
    CHECK(sd.find("user=\"alice@example.com\"") != std::string::npos);
    CHECK(sd.find("input_tokens=\"" + std::to_string(100 + seq) + "\"") != std::string::npos);
    json body = json::parse(m["msg"].get<std::string>(), nullptr, false);
    REQUIRE_FALSE(body.is_discarded());
    CHECK(body["seq"] == seq);
    CHECK(m.dump().find(k_secret) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("siem syslog: every event reaches a real rsyslogd over TCP (octet counting) and UDP with RFC 5424 fields") {
  gw::test::TempDir dir("gw-siem-rsyslog");
  Rsyslog rs(dir.path() / "rsyslog");
  gw::siem::MemoryFeed feed;
  for (uint64_t s = 1; s <= 40; ++s) feed.append(event_json(s));

  std::string common = "facility = \"auth\"\napp_name = \"gw-central\"\nhostname = \"central-test\"\nbatch_max = 7\n";
  auto cfg = siem_config("[[siem]]\nname = \"tcp\"\ntype = \"syslog\"\ndestination = \"tcp://127.0.0.1:" +
                         std::to_string(rs.tcp_port()) + "\"\n" + common +
                         "[[siem]]\nname = \"udp\"\ntype = \"syslog\"\ndestination = \"udp://127.0.0.1:" +
                         std::to_string(rs.udp_port()) + "\"\n" + common);
  auto ex = gw::siem::SiemExporters::create(cfg, feed, dir.path() / "state");
  REQUIRE(ex);
  REQUIRE((*ex)->start());
  REQUIRE((*ex)->wait_for_cursor("tcp", 40, 20s));
  REQUIRE((*ex)->wait_for_cursor("udp", 40, 20s));
  auto received = [&](const std::string& input) {
    std::vector<json> out;
    for (auto& m : rs.received()) if (m["input"] == input) out.push_back(m);
    return out;
  };
  REQUIRE(wait_for_lines(rs.out(), [&](const std::vector<json>&) {
    return received("imtcp").size() >= 40 && received("imudp").size() >= 40;
  }, 20s));
  (*ex)->stop();
  check_rfc5424_fields(received("imtcp"), 40, "imtcp");
  check_rfc5424_fields(received("imudp"), 40, "imudp");
  // The cursors were persisted where the server keeps its state.
  CHECK(fs::exists(dir.path() / "state" / "siem" / "tcp.cursor"));
}

TEST_CASE("siem syslog: the TCP sink rides out a collector restart, then a gateway restart, losing and repeating nothing") {
  gw::test::TempDir dir("gw-siem-rsyslog");
  gw::siem::MemoryFeed feed;
  for (uint64_t s = 1; s <= 10; ++s) feed.append(event_json(s));
  auto make = [&](int port) {
    return siem_config("[[siem]]\nname = \"tcp\"\ntype = \"syslog\"\ndestination = \"tcp://127.0.0.1:" +
                       std::to_string(port) + "\"\nfacility = \"auth\"\napp_name = \"gw-central\"\n"
                       "hostname = \"central-test\"\nretry_initial_ms = 10\nretry_max_ms = 200\n");
  };
  auto seqs_of = [](const std::vector<json>& ms) {
    std::vector<uint64_t> out;
    for (auto& m : ms) out.push_back(json::parse(m["msg"].get<std::string>())["seq"].get<uint64_t>());
    return out;
  };
  std::vector<uint64_t> all;
  auto first = std::make_unique<Rsyslog>(dir.path() / "rs1");
  int port = first->tcp_port();
  auto ex = gw::siem::SiemExporters::create(make(port), feed, dir.path() / "state");
  REQUIRE(ex);
  REQUIRE((*ex)->start());
  REQUIRE((*ex)->wait_for_cursor("tcp", 10, 20s));
  REQUIRE(wait_for_lines(first->out(), [&](const std::vector<json>&) { return first->received().size() >= 10; }, 20s));
  for (auto s : seqs_of(first->received())) all.push_back(s);
  first.reset();  // the collector goes away (rsyslogd killed); the exporter keeps running

  for (uint64_t s = 11; s <= 18; ++s) feed.append(event_json(s));  // cannot be delivered now
  Rsyslog second(dir.path() / "rs2", port);                         // back on the same port
  REQUIRE((*ex)->wait_for_cursor("tcp", 18, 20s));
  REQUIRE(wait_for_lines(second.out(), [&](const std::vector<json>&) { return second.received().size() >= 8; }, 20s));
  (*ex)->stop();
  ex->reset();  // the gateway stops

  for (uint64_t s = 19; s <= 25; ++s) feed.append(event_json(s));  // ingested meanwhile
  auto again = gw::siem::SiemExporters::create(make(port), feed, dir.path() / "state");
  REQUIRE(again);
  REQUIRE((*again)->start());
  REQUIRE((*again)->wait_for_cursor("tcp", 25, 20s));
  REQUIRE(wait_for_lines(second.out(), [&](const std::vector<json>&) { return second.received().size() >= 15; }, 20s));
  (*again)->stop();
  for (auto s : seqs_of(second.received())) all.push_back(s);
  // 1..25, each exactly once, in order.
  REQUIRE(all.size() == 25);
  for (size_t i = 0; i < all.size(); ++i) CHECK(all[i] == i + 1);
}
