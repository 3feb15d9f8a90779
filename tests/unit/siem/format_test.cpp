#include <doctest/doctest.h>

#include "core/siem/format.hpp"
#include "siem_events.hpp"

using namespace gw::siem;
using nlohmann::json;

namespace {
FeedEvent feed_event(uint64_t pos, gw::audit::EventKind kind = gw::audit::EventKind::completed) {
  return FeedEvent{pos, gw::audit::serialize_event(test::sample_event(pos, kind))};
}
const json* attr(const json& rec, const std::string& key) {
  for (const auto& a : rec["attributes"])
    if (a["key"] == key) return &a["value"];
  return nullptr;
}
}  // namespace

TEST_CASE("syslog: an RFC 5424 message with PRI, timestamp, MSGID and structured data") {
  auto ev = feed_event(42);
  SyslogHeader h{.facility = 16, .hostname = "central-1", .app_name = "gw", .procid = "77"};
  std::string msg = syslog_message(parse_record(ev), 42, "{\"x\":1}", h, 65536);
  // local0 (16) * 8 + info (6) = 134
  CHECK(msg.starts_with("<134>1 2025-01-31T12:00:00.165Z central-1 gw 77 completed [gw@32473 position=\"42\" seq=\"42\" "));
  CHECK(msg.find(" user=\"alice@example.com\"") != std::string::npos);
  CHECK(msg.find(" model=\"claude-sonnet-4-5\"") != std::string::npos);
  CHECK(msg.find(" input_tokens=\"1200\" output_tokens=\"340\" findings=\"1\"]") != std::string::npos);
  CHECK(msg.ends_with("] {\"x\":1}"));
}

TEST_CASE("syslog: severity follows the event: denied is notice, alarm warning, gap error") {
  SyslogHeader h;
  CHECK(syslog_message(parse_record(feed_event(1, gw::audit::EventKind::denied)), 1, "", h, 9999).starts_with("<133>1 "));
  CHECK(syslog_message(parse_record(feed_event(1, gw::audit::EventKind::alarm)), 1, "", h, 9999).starts_with("<132>1 "));
  CHECK(syslog_message(parse_record(feed_event(1, gw::audit::EventKind::gap)), 1, "", h, 9999).starts_with("<131>1 "));
  h.hostname = "";
  h.procid = "";
  CHECK(syslog_message(parse_record(feed_event(1)), 1, "", h, 9999).find(" - gw - completed [") != std::string::npos);
}

TEST_CASE("syslog: structured-data values escape quote, backslash and bracket") {
  auto ev = test::sample_event(1);
  ev.user = "a\"b\\c]d";
  std::string msg = syslog_message(json::parse(gw::audit::serialize_event(ev)), 1, "", {}, 9999);
  CHECK(msg.find(" user=\"a\\\"b\\\\c\\]d\"") != std::string::npos);
}

TEST_CASE("syslog: a message over the size limit is cut and says truncated=\"true\"") {
  auto ev = feed_event(1);
  std::string body(3000, 'x');
  body += "\xc3\xa9";  // a 2-byte UTF-8 character
  std::string msg = syslog_message(parse_record(ev), 1, body, {}, 1024);
  CHECK(msg.size() <= 1024);
  CHECK(msg.find(" truncated=\"true\"]") != std::string::npos);
  std::string exact = syslog_message(parse_record(ev), 1, std::string(10, 'y'), {}, 4096);
  CHECK(exact.find("truncated") == std::string::npos);
}

TEST_CASE("hec: one event object per record with time, host, source and the formatted event") {
  std::vector<FeedEvent> batch = {feed_event(1), feed_event(2)};
  SinkConfig cfg;
  cfg.index = "ai";
  cfg.format = gw::audit::ExportFormat::ecs;
  std::string body = hec_body(batch, cfg);
  auto nl = body.find('\n');
  REQUIRE(nl != std::string::npos);
  json first = json::parse(body.substr(0, nl));
  CHECK(first["time"].get<double>() == doctest::Approx(1738324800.124));
  CHECK(first["host"] == "dev-595bd6fa6d301424");
  CHECK(first["source"] == "gw");
  CHECK(first["sourcetype"] == "gw:audit");
  CHECK(first["index"] == "ai");
  CHECK(first["event"]["event"]["sequence"] == 1);
  CHECK(first["event"]["user"]["name"] == "alice@example.com");
  CHECK(body.ends_with("\n"));
}

TEST_CASE("otlp: resourceLogs/scopeLogs/logRecords with GenAI semantic-convention attributes") {
  json req = otlp_logs_request({feed_event(7)}, "0.1.0");
  const json& rl = req["resourceLogs"][0];
  CHECK(rl["resource"]["attributes"][0] == json{{"key", "service.name"}, {"value", {{"stringValue", "gw"}}}});
  const json& sl = rl["scopeLogs"][0];
  CHECK(sl["scope"]["name"] == "gw.audit");
  const json& rec = sl["logRecords"][0];
  CHECK(rec["timeUnixNano"] == "1738324800130000000");
  CHECK(rec["severityNumber"] == 9);
  CHECK(rec["eventName"] == "gw.audit.completed");
  CHECK(json::parse(rec["body"]["stringValue"].get<std::string>())["seq"] == 7);
  CHECK(*attr(rec, "gen_ai.provider.name") == json{{"stringValue", "anthropic"}});
  CHECK(*attr(rec, "gen_ai.system") == json{{"stringValue", "anthropic"}});
  CHECK(*attr(rec, "gen_ai.operation.name") == json{{"stringValue", "chat"}});
  CHECK(*attr(rec, "gen_ai.request.model") == json{{"stringValue", "claude-sonnet-4-5"}});
  CHECK(*attr(rec, "gen_ai.usage.input_tokens") == json{{"intValue", "1200"}});
  CHECK(*attr(rec, "gen_ai.usage.output_tokens") == json{{"intValue", "340"}});
  CHECK(*attr(rec, "http.response.status_code") == json{{"intValue", "200"}});
  CHECK(*attr(rec, "gw.position") == json{{"intValue", "7"}});
}

TEST_CASE("otlp: Gemini maps to gcp.gemini and generate_content") {
  auto ev = test::sample_event(1);
  ev.provider = "gemini";
  ev.endpoint = "POST /v1beta/models/gemini-2.5-pro:streamGenerateContent";
  json req = otlp_logs_request({FeedEvent{1, gw::audit::serialize_event(ev)}}, "0.1.0");
  const json& rec = req["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
  CHECK(*attr(rec, "gen_ai.provider.name") == json{{"stringValue", "gcp.gemini"}});
  CHECK(*attr(rec, "gen_ai.operation.name") == json{{"stringValue", "generate_content"}});
}

TEST_CASE("formats: a record that is not JSON is exported as an 'unparseable' marker, not dropped") {
  json r = parse_record(FeedEvent{9, "{broken"});
  CHECK(r["record"] == "unparseable");
  CHECK(r["position"] == 9);
  CHECK(syslog_severity(r) == 3);
}
