#include <doctest/doctest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "core/audit/device_key.hpp"
#include "core/audit/event.hpp"
#include "core/audit/record.hpp"
#include "core/common/crypto.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

using namespace gw::audit;

TEST_CASE("AuditEvent: serializes to canonical JSON with sorted keys and round-trips") {
  AuditEvent ev = test::sample_event(EventKind::completed);
  ev.seq = 7;
  ev.prev = std::string(k_genesis_prev);
  ev.id = "0190f0c8-0000-7000-8000-000000000001";
  ev.time_ms = 1700000000123;
  ev.http_status = 200;
  ev.findings.push_back({"aws-access-key", "messages[2].content[0].text", "1a2b3c4d"});
  ev.usage = Usage{1200, 340, 1000, 50, 12};
  ev.cost_nano_usd = 4'560'000;
  ev.latency = Latency{812000, 95000, 790000};
  ev.bytes_in = 5321;
  ev.bytes_out = 2210;
  ev.credential_stores = {"secret-service", "file"};
  std::string a = serialize_event(ev);
  CHECK(a.find(R"("credential_stores":{"device_key":"file","provider_key":"secret-service"})") != std::string::npos);
  CHECK(a == serialize_event(ev));  // deterministic
  CHECK(a.find('\n') == std::string::npos);
  // Keys in lexicographic order: "agent" before "bytes_in" before "cost_nano_usd" ... "v" last.
  CHECK(a.find("\"agent\"") < a.find("\"bytes_in\""));
  CHECK(a.find("\"usage\"") < a.find("\"v\""));
  auto back = event_from_json(nlohmann::json::parse(a));
  REQUIRE(back);
  CHECK(*back == ev);
}

TEST_CASE("AuditEvent: unset fields are omitted, and findings carry only a fingerprint") {
  AuditEvent ev;
  ev.kind = EventKind::denied;
  ev.decision = Decision::denied;
  ev.reason = "secret detected";
  ev.findings.push_back({"github-pat", "tool_result:Bash", gw::fingerprint("ghp_example_secret_value")});
  auto j = event_to_json(ev);
  CHECK_FALSE(j.contains("usage"));
  CHECK_FALSE(j.contains("model"));
  CHECK_FALSE(j.contains("streamed"));
  CHECK(j["kind"] == "denied");
  CHECK(j["findings"][0]["fingerprint"].get<std::string>().size() == 8);
  CHECK(serialize_event(ev).find("ghp_example_secret_value") == std::string::npos);
}

TEST_CASE("AuditEvent: an unknown kind or a newer schema version is rejected with a reason") {
  auto j = event_to_json(AuditEvent{});
  j["kind"] = "exploded";
  auto r = event_from_json(j);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("exploded") != std::string::npos);
  j = event_to_json(AuditEvent{});
  j["v"] = k_schema_version + 1;
  CHECK_FALSE(event_from_json(j));
}

TEST_CASE("DeviceKey: a checkpoint verifies with the device key and not with another or when edited") {
  DeviceKey key = DeviceKey::generate();
  auto line = make_checkpoint_line(5, k_genesis_prev, 1700000000000, "dev-x", key);
  REQUIRE(line);
  auto rec = parse_record(*line);
  REQUIRE(rec);
  auto pub = DeviceKey::from_public(key.public_raw());
  REQUIRE(pub);
  CHECK(checkpoint_problem(*rec, *pub).empty());
  CHECK_FALSE(checkpoint_problem(*rec, DeviceKey::generate()).empty());
  auto edited = *rec;
  edited["time_ms"] = 1800000000000;
  CHECK(checkpoint_problem(edited, *pub).find("does not verify") != std::string::npos);
}

TEST_CASE("FileDeviceKeyStore: creates a 0600 key once, reloads the same key, refuses a readable one") {
  gw::test::TempDir dir;
  FileDeviceKeyStore store(dir.path());
  auto k1 = store.load_or_create();
  REQUIRE(k1);
  struct stat st {};
  REQUIRE(::stat((dir.path() / "device_key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto k2 = store.load_or_create();
  REQUIRE(k2);
  CHECK(k1->public_raw() == k2->public_raw());
  auto pub = store.load_public();
  REQUIRE(pub);
  CHECK(pub->key_id() == k1->key_id());
  CHECK_FALSE(pub->has_private());
  ::chmod((dir.path() / "device_key").c_str(), 0644);
  auto bad = store.load_or_create();
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("chmod 600") != std::string::npos);
}
