#include <doctest/doctest.h>

#include "core/siem/config_toml.hpp"

using namespace gw::siem;

namespace {
gw::Result<SiemConfig> decode(std::string_view text) {
  auto parsed = toml::parse(text, std::string_view("server.toml"));
  REQUIRE(parsed);
  return decode_siem(parsed.table(), "server.toml");
}
}  // namespace

TEST_CASE("siem config: every sink type decodes with its options and defaults") {
  auto cfg = decode(R"(
listen = "0.0.0.0:8443"   # not ours: ignored

[[siem]]
type = "file"
destination = "/var/log/gw/audit.jsonl"
format = "ocsf"
rotate_bytes = 1048576
rotate_daily = true
keep = 3

[[siem]]
name = "soc"
type = "syslog"
destination = "udp://[::1]:5514"
facility = "auth"
app_name = "gw-central"

[[siem]]
type = "splunk_hec"
destination = "https://splunk.example:8088"
token_env = "SPLUNK_HEC_TOKEN"
index = "ai"

[[siem]]
type = "otlp"
destination = "http://collector:4318"
headers_env = { Authorization = "OTLP_AUTH" }
)");
  REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.error().message));
  REQUIRE(cfg->sinks.size() == 4);
  const auto& f = cfg->sinks[0];
  CHECK(f.name == "file");
  CHECK(f.format == gw::audit::ExportFormat::ocsf);
  CHECK(f.rotate_bytes == 1048576);
  CHECK(f.rotate_daily);
  CHECK(f.keep == 3);
  const auto& s = cfg->sinks[1];
  CHECK(s.name == "soc");
  CHECK(s.transport == SyslogTransport::udp);
  CHECK(s.host == "::1");
  CHECK(s.port == 5514);
  CHECK(s.facility == 4);
  CHECK(s.app_name == "gw-central");
  CHECK(cfg->sinks[2].token_env == "SPLUNK_HEC_TOKEN");
  CHECK(cfg->sinks[2].index == "ai");
  CHECK(cfg->sinks[2].batch_max == 500);
  REQUIRE(cfg->sinks[3].headers_env.size() == 1);
  CHECK(cfg->sinks[3].headers_env[0].second == "OTLP_AUTH");
}

TEST_CASE("siem config: no [[siem]] means no sinks") {
  auto cfg = decode("listen = \"127.0.0.1:0\"\n");
  REQUIRE(cfg);
  CHECK(cfg->sinks.empty());
}

TEST_CASE("siem config: mistakes are reported with file:line:col and what to do") {
  auto cfg = decode(R"([[siem]]
type = "syslogd"
destination = "x"

[[siem]]
type = "syslog"
destination = "tcp://siem.example"
rotate_bytes = 10
facilty = "local0"

[[siem]]
type = "splunk_hec"
destination = "splunk.example:8088"

[[siem]]
type = "file"
destination = "/tmp/a.jsonl"
retry_initial_ms = 5000
retry_max_ms = 100

[[siem]]
type = "file"
destination = "/tmp/b.jsonl"
)");
  REQUIRE_FALSE(cfg);
  const std::string& m = cfg.error().message;
  CHECK(cfg.error().code == gw::Errc::config);
  CHECK(m.find("server.toml:2:8: siem[0].type: unknown sink type 'syslogd' (use file, syslog, splunk_hec or otlp)") != std::string::npos);
  CHECK(m.find("server.toml:7:15: siem[1].destination: needs a port, e.g. tcp://siem.example:514") != std::string::npos);
  CHECK(m.find("server.toml:8:16: siem[1].rotate_bytes: does not apply to syslog sinks") != std::string::npos);
  CHECK(m.find("siem[1].facilty: unknown key") != std::string::npos);
  CHECK(m.find("siem[2].destination: must be an http:// or https:// URL") != std::string::npos);
  CHECK(m.find("siem[2]: a splunk_hec sink needs exactly one of token_env or token_file") != std::string::npos);
  CHECK(m.find("siem[3].retry_max_ms: must be >= retry_initial_ms (5000)") != std::string::npos);
  CHECK(m.find("siem[4]: a second sink named 'file'") != std::string::npos);
}

TEST_CASE("siem config: format does not apply to otlp, and siem must be an array of tables") {
  auto a = decode("[[siem]]\ntype = \"otlp\"\ndestination = \"http://c:4318\"\nformat = \"ecs\"\n");
  REQUIRE_FALSE(a);
  CHECK(a.error().message.find("siem[0].format: does not apply to otlp sinks") != std::string::npos);
  auto b = decode("siem = \"file\"\n");
  REQUIRE_FALSE(b);
  CHECK(b.error().message.find("siem: must be an array of tables ([[siem]]), not a string") != std::string::npos);
}
