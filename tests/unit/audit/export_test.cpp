#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/audit/event.hpp"
#include "core/audit/export.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

using namespace gw::audit;
using nlohmann::json;

namespace {
json completed_record() {
  AuditEvent ev = test::sample_event(EventKind::completed);
  ev.seq = 12;
  ev.prev = std::string(64, '0');
  ev.id = "0190f0c8-0000-7000-8000-000000000001";
  ev.time_ms = 1738324800123;  // 2025-01-31T12:00:00.123Z
  ev.http_status = 200;
  ev.usage = Usage{1200, 340, 0, 0, 0};
  ev.cost_nano_usd = 4'560'000;
  ev.latency = Latency{812000, 95000, 790000};
  return event_to_json(ev);
}
}  // namespace

TEST_CASE("Export: OCSF maps an event to API Activity with actor, api and status") {
  auto o = export_record(completed_record(), ExportFormat::ocsf);
  REQUIRE(o);
  CHECK((*o)["class_uid"] == 6003);
  CHECK((*o)["type_uid"] == 600399);
  CHECK((*o)["time"] == 1738324800123);
  CHECK((*o)["actor"]["user"]["name"] == "alice@example.com");
  CHECK((*o)["actor"]["user"]["groups"][0]["name"] == "platform");
  CHECK((*o)["api"]["service"]["name"] == "anthropic");
  CHECK((*o)["status_id"] == 1);
  CHECK((*o)["metadata"]["sequence"] == 12);
  CHECK((*o)["unmapped"]["usage"]["input"] == 1200);
}

TEST_CASE("Export: ECS carries the timestamp, outcome and gen_ai fields; denials are failures") {
  auto e = export_record(completed_record(), ExportFormat::ecs);
  REQUIRE(e);
  CHECK((*e)["@timestamp"] == "2025-01-31T12:00:00.123Z");
  CHECK((*e)["event"]["outcome"] == "success");
  CHECK((*e)["event"]["duration"] == 812000000);
  CHECK((*e)["gen_ai"]["request"]["model"] == "claude-sonnet-4-5");
  CHECK((*e)["gen_ai"]["usage"]["output_tokens"] == 340);
  auto denied = completed_record();
  denied["kind"] = "denied";
  CHECK((*export_record(denied, ExportFormat::ecs))["event"]["outcome"] == "failure");
}

TEST_CASE("Export: checkpoints appear only in jsonl; unknown formats are refused by name") {
  json cp = {{"record", "checkpoint"}, {"seq", 5}};
  CHECK(export_record(cp, ExportFormat::jsonl));
  CHECK_FALSE(export_record(cp, ExportFormat::ocsf));
  auto bad = parse_export_format("csv");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("jsonl, ocsf or ecs") != std::string::npos);
}

TEST_CASE("Export: --since accepts Unix ms, RFC 3339 and ages") {
  const int64_t now = 1738324800000;
  CHECK(*parse_since("1700000000000", now) == 1700000000000);
  CHECK(*parse_since("2025-01-31T12:00:00Z", now) == 1738324800000);
  CHECK(*parse_since("2h", now) == now - 7'200'000);
  CHECK(*parse_since("7d", now) == now - 7 * 86'400'000LL);
  CHECK_FALSE(parse_since("yesterday", now));
}
