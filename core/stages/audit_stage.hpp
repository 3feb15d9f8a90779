#pragma once
// The audit stages: every request that enters the pipeline leaves records in the local audit
// spool (core/audit/spool.hpp, docs/audit.md). Two stage objects share one AuditRecorder:
//
//  * AuditOutcomeStage runs FIRST, so its on_complete runs LAST (after usage and cost are
//    settled) and it sees every request, including those auth, model access or limits refuse.
//    It writes a "completed" record for admitted requests and a "denied" record for the others,
//    without waiting for the disk.
//  * AuditAdmitStage runs right before forward, after every admission stage decided: it commits
//    an "admitted" record durably (group commit, fdatasync) and only then lets the request go
//    upstream. If the spool cannot record it, the request is refused in the provider's error
//    shape (fail_mode "closed", the default) or forwarded anyway ("open"; the spool then writes a
//    gap event counting it as soon as it can write again).
//
// Neither records a secret: identities are key ids, findings carry fingerprints, and request
// content is recorded only when policy turns log_content on, and then only after redaction.
#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "core/config/audit_policy.hpp"
#include "core/pipeline/stage.hpp"
#include "core/stages/services.hpp"

namespace gw::audit {
class Spool;
struct AuditEvent;
}  // namespace gw::audit
namespace gw::scan {
class Scanner;
}

namespace gw::stages {

// Where the secrets behind this policy's requests come from, for the records' credential_stores
// (docs/audit.md): the provider key source per API (indexed by providers::ApiKind) and the store
// of the device key. Empty strings are left out of the records.
struct KeyOrigins {
  std::array<std::string, 3> provider_key;
  std::string device_key;
};
KeyOrigins key_origins(const Services& services, const config::Policy& policy);

// What one pipeline (one policy) needs to write audit records. Built once per policy.
class AuditRecorder {
public:
  // spool is null when it could not be opened: every admission then fails (refused, or
  // forwarded unaudited under fail_mode "open"). Builds the redaction scanner when policy logs
  // content; if that fails, admissions fail the same way with the reason.
  static std::shared_ptr<AuditRecorder> create(const config::AuditPolicy& policy, audit::Spool* spool,
                                               KeyOrigins origins = {});

  // The admitted record for ex, durably committed. Called by AuditAdmitStage only.
  pipeline::StageStatus admit(pipeline::Exchange& ex);
  // The completed or denied record for ex, queued. Called by AuditOutcomeStage only.
  void finish(pipeline::Exchange& ex);

private:
  AuditRecorder(const config::AuditPolicy& policy, audit::Spool* spool, KeyOrigins origins)
      : m_policy(policy), m_spool(spool), m_origins(std::move(origins)) {}
  // Fields every record of ex carries (identity, agent, provider, model, endpoint, policy).
  void fill_common(const pipeline::Exchange& ex, audit::AuditEvent& ev) const;
  // The request body with every secret/PII replaced by a placeholder, cut to the policy's cap.
  void fill_content(const pipeline::Exchange& ex, audit::AuditEvent& ev) const;

  config::AuditPolicy m_policy;
  audit::Spool* m_spool;
  KeyOrigins m_origins;
  std::shared_ptr<const scan::Scanner> m_redactor;  // null unless log_content
  std::string m_broken;  // why no admission can be recorded (empty: none)
  std::atomic<bool> m_warned_unaudited{false};
};

class AuditOutcomeStage final : public pipeline::Stage {
public:
  explicit AuditOutcomeStage(std::shared_ptr<AuditRecorder> recorder) : m_recorder(std::move(recorder)) {}
  std::string_view name() const override { return "audit"; }
  pipeline::StageStatus on_request(pipeline::Exchange&) override { return pipeline::StageStatus::proceed; }
  void on_complete(pipeline::Exchange& ex) override { m_recorder->finish(ex); }

private:
  std::shared_ptr<AuditRecorder> m_recorder;
};

class AuditAdmitStage final : public pipeline::Stage {
public:
  explicit AuditAdmitStage(std::shared_ptr<AuditRecorder> recorder) : m_recorder(std::move(recorder)) {}
  std::string_view name() const override { return "audit_admit"; }
  pipeline::StageStatus on_request(pipeline::Exchange& ex) override { return m_recorder->admit(ex); }

private:
  std::shared_ptr<AuditRecorder> m_recorder;
};

}  // namespace gw::stages
