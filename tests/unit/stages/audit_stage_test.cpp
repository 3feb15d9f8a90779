#include <doctest/doctest.h>

#include "core/audit/spool.hpp"
#include "core/audit/verify.hpp"
#include "core/stages/audit_stage.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/audit/audit_test_util.hpp"
#include "tests/unit/stages/policy_stage_fixture.hpp"

using namespace gw;
using gw::pipeline::StageStatus;
using nlohmann::json;

namespace {

struct Rig {
  gw::test::TempDir tmp;
  audit::test::MemoryKeyStore keys;
  audit::test::FaultyFileSystem fs;
  std::unique_ptr<audit::Spool> spool;
  gw::test::ShapeProvider provider{providers::ApiKind::anthropic};
  Rig() {
    audit::SpoolOptions o;
    o.dir = tmp.path();
    spool = std::move(*audit::Spool::open(o, keys, nullptr, &fs));
  }
  pipeline::Exchange exchange(std::shared_ptr<const config::Policy> p) {
    auto ex = gw::test::exchange_for(provider, std::move(p), "dev", "claude-haiku-4-5");
    ex.request.method = "POST";
    ex.request.path = "/v1/messages";
    return ex;
  }
  std::vector<json> events() {
    spool->close();
    std::vector<json> out;
    for (const auto& l : audit::test::segment_lines(tmp.path())) {
      auto j = json::parse(l);
      if (j["record"] == "event") out.push_back(j);
    }
    return out;
  }
};

const char* k_policy = "[keys.dev]\nproviders = [\"anthropic\"]\nmodels = [\"*\"]\n";

}  // namespace

TEST_CASE("AuditStage: admitted is durable before proceeding; the outcome stage writes completed") {
  Rig rig;
  auto policy = gw::test::stage_policy(k_policy);
  auto rec = stages::AuditRecorder::create(policy->audit, rig.spool.get());
  stages::AuditOutcomeStage outcome(rec);
  stages::AuditAdmitStage admit(rec);
  auto ex = rig.exchange(policy);
  REQUIRE(outcome.on_request(ex) == StageStatus::proceed);
  CHECK(admit.on_request(ex) == StageStatus::proceed);
  CHECK(rig.spool->last_seq() == 1);  // durable now, not later
  ex.status = 200;
  ex.outcome = pipeline::Outcome::completed;
  ex.usage.input = 10;
  ex.usage.output = 3;
  ex.usage.reported = true;
  ex.cost_nano_usd = 1234;
  outcome.on_complete(ex);
  auto evs = rig.events();
  REQUIRE(evs.size() == 2);
  CHECK(evs[0]["kind"] == "admitted");
  CHECK(evs[1]["kind"] == "completed");
  CHECK(evs[1]["request_id"] == "req_test");
  CHECK(evs[1]["usage"]["input"] == 10);
  CHECK(evs[1]["cost_nano_usd"] == 1234);
}

TEST_CASE("AuditStage: disk full with fail_mode closed -> refused in the provider's shape, saying what to do") {
  Rig rig;
  auto policy = gw::test::stage_policy(k_policy);
  auto rec = stages::AuditRecorder::create(policy->audit, rig.spool.get());
  stages::AuditAdmitStage admit(rec);
  auto ex = rig.exchange(policy);
  rig.fs.full = true;
  CHECK(admit.on_request(ex) == StageStatus::respond);
  CHECK(ex.status == 400);
  std::string msg = gw::test::reply_message(ex);
  CHECK(msg.find("audit spool cannot record this request") != std::string::npos);
  CHECK(msg.find("No space left on device") != std::string::npos);
  CHECK(msg.find("free disk space") != std::string::npos);
  rig.fs.full = false;
  auto ex2 = rig.exchange(policy);
  CHECK(admit.on_request(ex2) == StageStatus::proceed);
  auto evs = rig.events();
  REQUIRE(evs.size() == 2);
  CHECK(evs[0]["kind"] == "gap");
  CHECK(evs[0]["reason"].get<std::string>().find("1 requests were refused") != std::string::npos);
  CHECK(audit::verify_spool(rig.tmp.path(), rig.keys.key()).ok());
}

TEST_CASE("AuditStage: disk full with fail_mode open -> forwarded, and the gap record says so") {
  Rig rig;
  auto policy = gw::test::stage_policy(std::string(k_policy) + "[audit]\nfail_mode = \"open\"\n");
  auto rec = stages::AuditRecorder::create(policy->audit, rig.spool.get());
  stages::AuditOutcomeStage outcome(rec);
  stages::AuditAdmitStage admit(rec);
  auto ex = rig.exchange(policy);
  rig.fs.full = true;
  CHECK(admit.on_request(ex) == StageStatus::proceed);
  ex.status = 200;
  ex.outcome = pipeline::Outcome::completed;
  outcome.on_complete(ex);  // lost too: the disk is still full
  rig.spool->append(audit::test::sample_event()).wait();
  rig.fs.full = false;
  auto ex2 = rig.exchange(policy);
  CHECK(admit.on_request(ex2) == StageStatus::proceed);
  auto evs = rig.events();
  REQUIRE(!evs.empty());
  CHECK(evs[0]["kind"] == "gap");
  std::string reason = evs[0]["reason"];
  CHECK(reason.find("1 requests were forwarded without their admitted record (audit fail_mode = open)") != std::string::npos);
  CHECK(audit::verify_spool(rig.tmp.path(), rig.keys.key()).ok());
}

TEST_CASE("AuditStage: a denial by an earlier stage is recorded as denied, with its reason") {
  Rig rig;
  auto policy = gw::test::stage_policy(k_policy);
  auto rec = stages::AuditRecorder::create(policy->audit, rig.spool.get());
  stages::AuditOutcomeStage outcome(rec);
  auto ex = rig.exchange(policy);
  ex.deny({400, "gw: model 'x' is not allowed"});
  outcome.on_complete(ex);
  auto evs = rig.events();
  REQUIRE(evs.size() == 1);
  CHECK(evs[0]["kind"] == "denied");
  CHECK(evs[0]["decision"] == "denied");
  CHECK(evs[0]["reason"] == "gw: model 'x' is not allowed");
}

TEST_CASE("AuditStage: guardrail findings are recorded by rule, location and fingerprint only") {
  Rig rig;
  auto policy = gw::test::stage_policy(std::string(k_policy) + "[audit]\nlog_content = true\n");
  auto rec = stages::AuditRecorder::create(policy->audit, rig.spool.get());
  stages::AuditAdmitStage admit(rec);
  auto ex = rig.exchange(policy);
  ex.request.body = R"({"model":"m","messages":[{"role":"user","content":"key AKIAOXYIMCFIPNZB575Y"}]})";
  ex.findings.push_back({"aws-access-key-id", "messages[0].content", "1a2b3c4d", "alert"});
  CHECK(admit.on_request(ex) == StageStatus::proceed);
  auto evs = rig.events();
  REQUIRE(evs.size() == 1);
  CHECK(evs[0]["findings"][0]["rule_id"] == "aws-access-key-id");
  CHECK(evs[0]["findings"][0]["fingerprint"] == "1a2b3c4d");
  CHECK(evs[0].dump().find("AKIAOXYIMCFIPNZB575Y") == std::string::npos);
  CHECK(evs[0]["content"].get<std::string>().find("[REDACTED:aws-access-key-id:") != std::string::npos);
}

TEST_CASE("AuditStage: records say which store supplied the provider key and the device key") {
  Rig rig;
  auto policy = gw::test::stage_policy(k_policy);
  stages::KeyOrigins origins;
  origins.provider_key[static_cast<size_t>(providers::ApiKind::anthropic)] = "file";
  origins.device_key = "secret-service";
  auto rec = stages::AuditRecorder::create(policy->audit, rig.spool.get(), origins);
  stages::AuditOutcomeStage outcome(rec);
  stages::AuditAdmitStage admit(rec);
  auto ex = rig.exchange(policy);
  REQUIRE(outcome.on_request(ex) == StageStatus::proceed);
  REQUIRE(admit.on_request(ex) == StageStatus::proceed);
  ex.status = 200;
  ex.outcome = pipeline::Outcome::completed;
  outcome.on_complete(ex);

  auto denied = rig.exchange(policy);
  REQUIRE(outcome.on_request(denied) == StageStatus::proceed);
  denied.deny({403, "gw: not allowed"});
  outcome.on_complete(denied);

  auto evs = rig.events();
  REQUIRE(evs.size() == 3);
  for (int i : {0, 1}) {
    CHECK(evs[i]["credential_stores"]["provider_key"] == "file");
    CHECK(evs[i]["credential_stores"]["device_key"] == "secret-service");
  }
  CHECK(evs[2]["kind"] == "denied");
  CHECK_FALSE(evs[2]["credential_stores"].contains("provider_key"));  // no key was used
  CHECK(evs[2]["credential_stores"]["device_key"] == "secret-service");
}
