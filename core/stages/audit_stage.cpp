#include "core/stages/audit_stage.hpp"

#include "core/audit/spool.hpp"
#include "core/common/clock.hpp"
#include <nlohmann/json.hpp>

#include "core/common/log.hpp"
#include "core/config/policy.hpp"
#include "core/pipeline/exchange.hpp"
#include "core/scan/body_scan.hpp"
#include "core/scan/rule_loader.hpp"
#include "core/stages/forward_stage.hpp"
#include "core/stages/policy_denial.hpp"

namespace gw::stages {

using pipeline::Exchange;
using pipeline::Outcome;
using pipeline::StageStatus;

namespace {

// What the admit stage did for one exchange, read by the outcome stage.
struct AdmitState {
  bool attempted = false;  // the request got as far as the admission record
  bool recorded = false;   // ... and it is durable
  std::string event_id;
};

int64_t wall_ms_at(int64_t mono_at_ns) {
  // Exchange timings are monotonic; convert "when the request arrived" to wall-clock ms.
  return SystemClock().now_ms() - (mono_ns() - mono_at_ns) / 1'000'000;
}

int64_t us_between(int64_t from_ns, int64_t to_ns) {
  return from_ns > 0 && to_ns >= from_ns ? (to_ns - from_ns) / 1000 : 0;
}

scan::BodyKind body_kind(const providers::Provider& p) {
  switch (p.kind()) {
    case providers::ApiKind::anthropic: return scan::BodyKind::anthropic;
    case providers::ApiKind::openai: return scan::BodyKind::openai;
    case providers::ApiKind::gemini: return scan::BodyKind::gemini;
  }
  return scan::BodyKind::json;
}

// The length of the longest prefix of s, at most max bytes, that does not end inside a UTF-8
// sequence.
size_t utf8_cut(std::string_view s, size_t max) {
  if (s.size() <= max) return s.size();
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

}  // namespace

KeyOrigins key_origins(const Services& services, const config::Policy& policy) {
  KeyOrigins o;
  for (auto kind : {providers::ApiKind::anthropic, providers::ApiKind::openai, providers::ApiKind::gemini})
    if (const auto* pc = provider_config_for(policy, kind))
      o.provider_key[static_cast<size_t>(kind)] = std::string(services.credentials.source_for(*pc));
  o.device_key = services.device_key_store;
  return o;
}

std::shared_ptr<AuditRecorder> AuditRecorder::create(const config::AuditPolicy& policy, audit::Spool* spool,
                                                     KeyOrigins origins) {
  std::shared_ptr<AuditRecorder> r(new AuditRecorder(policy, spool, std::move(origins)));
  if (!spool) r->m_broken = "the audit spool is not open (see the sidecar log for why)";
  if (policy.log_content) {
    auto rules = scan::builtin_rules();
    auto scanner = rules ? scan::Scanner::create({std::move(*rules)})
                         : Result<std::shared_ptr<const scan::Scanner>>(std::unexpected(rules.error()));
    if (scanner) r->m_redactor = std::move(*scanner);
    else r->m_broken = "audit log_content is on but its redaction rules failed to load: " + scanner.error().message;
  }
  return r;
}

void AuditRecorder::fill_common(const Exchange& ex, audit::AuditEvent& ev) const {
  ev.request_id = ex.id;
  ev.user = ex.identity.user;
  ev.virtual_key_id = ex.identity.key_id;
  ev.team = ex.identity.team;
  ev.agent = ex.agent;
  ev.agent_session_id = ex.agent_session;
  if (ex.provider) ev.provider = std::string(ex.provider->id());
  ev.model = ex.info.model;
  ev.endpoint = ex.request.method + " " + (ex.original_path.empty() ? ex.request.path : ex.original_path);
  ev.streamed = ex.info.stream;
  if (ex.policy) ev.policy_version = ex.policy->version;
  for (const auto& f : ex.findings) ev.findings.push_back({f.rule_id, f.location, f.fingerprint});
  // The agent's own login (passthrough) carries no gw-supplied key.
  if (ex.identity.kind == pipeline::Identity::Kind::passthrough) ev.credential_stores.provider_key = "passthrough";
  else if (ex.provider) ev.credential_stores.provider_key = m_origins.provider_key[static_cast<size_t>(ex.provider->kind())];
  ev.credential_stores.device_key = m_origins.device_key;
}

void AuditRecorder::fill_content(const Exchange& ex, audit::AuditEvent& ev) const {
  const std::string& body = ex.request.body;
  std::vector<scan::Finding> findings;
  if (auto scanned = scan::scan_body(*m_redactor, body, body_kind(*ex.provider)))
    findings = std::move(scanned->findings);
  else  // not JSON after all: scan it as text, so nothing escapes redaction
    findings = m_redactor->scan(body);
  std::string redacted = findings.empty() ? body : scan::redact(body, findings);
  size_t cap = static_cast<size_t>(m_policy.content_max_bytes);
  ev.content_truncated = redacted.size() > cap;
  redacted.resize(utf8_cut(redacted, cap));
  ev.content = std::move(redacted);
}

StageStatus AuditRecorder::admit(Exchange& ex) {
  AdmitState& st = ex.state_of<AdmitState>(this);
  st.attempted = true;
  audit::AuditEvent ev;
  ev.kind = audit::EventKind::admitted;
  fill_common(ex, ev);
  ev.request_started_ms = wall_ms_at(ex.t.start_ns);
  ev.decision = audit::Decision::allowed;
  for (const auto& f : ex.findings)
    if (f.action == "redact") ev.decision = audit::Decision::redacted;
  ev.bytes_in = ex.bytes_in;
  if (m_redactor && ex.provider) fill_content(ex, ev);

  const bool fail_open = m_policy.fail_mode == config::AuditPolicy::FailMode::open;
  Result<audit::AppendReceipt> receipt =
      !m_broken.empty() ? fail(Errc::io, "this request cannot be audited (" + m_broken + "), so it is refused")
                        : m_spool->append_durable(std::move(ev), fail_open ? audit::OnFailure::forward
                                                                           : audit::OnFailure::refuse);
  if (receipt) {
    st.recorded = true;
    st.event_id = receipt->id;
    return StageStatus::proceed;
  }
  // A full spool is a capacity decision (on_full), not a fault: fail_mode does not override it.
  const bool write_fault = receipt.error().code == Errc::io;
  if (fail_open && write_fault) {
    if (!m_warned_unaudited.exchange(true))
      log::write(log::Level::error, "forwarding requests without audit records (audit fail_mode = open)",
                 {{"error", receipt.error().message}});
    return StageStatus::proceed;
  }
  ex.deny({refusal_status(*ex.provider), "gw: " + receipt.error().message});
  return StageStatus::respond;
}

void AuditRecorder::finish(Exchange& ex) {
  if (!m_spool) return;
  const AdmitState& st = ex.state_of<AdmitState>(this);
  audit::AuditEvent ev;
  fill_common(ex, ev);
  ev.request_started_ms = wall_ms_at(ex.t.start_ns);
  ev.http_status = ex.status;
  ev.bytes_in = ex.bytes_in;
  ev.bytes_out = ex.bytes_out;
  ev.latency = audit::Latency{us_between(ex.t.start_ns, ex.t.end_ns), us_between(ex.t.start_ns, ex.t.first_byte_ns),
                              us_between(ex.t.upstream_start_ns, ex.t.end_ns)};
  const bool forwarded = st.attempted && ex.outcome != Outcome::denied;
  if (!forwarded) {
    ev.kind = audit::EventKind::denied;  // refused before anything went upstream
    ev.decision = audit::Decision::denied;
    ev.reason = ex.reason;
    ev.credential_stores.provider_key.clear();  // no provider key was used
  } else {
    ev.kind = audit::EventKind::completed;
    ev.decision = audit::Decision::allowed;
    size_t redacted = 0;
    for (const auto& f : ex.findings) redacted += f.action == "redact";
    if (redacted > 0) {
      ev.decision = audit::Decision::redacted;
      ev.reason = std::to_string(redacted) + (redacted == 1 ? " finding" : " findings") + " redacted";
    }
    if (!st.recorded) ev.reason += std::string(ev.reason.empty() ? "" : "; ") +
                                   "forwarded without an admitted record (audit fail_mode = open)";
    if (ex.outcome != Outcome::completed) {
      std::string why(pipeline::outcome_name(ex.outcome));
      if (!ex.reason.empty()) why += ": " + ex.reason;
      ev.reason += (ev.reason.empty() ? "" : "; ") + why;
    }
    const auto& u = ex.usage;
    if (u.reported) ev.usage = audit::Usage{u.input, u.output, u.cache_read, u.cache_write(), u.reasoning};
    ev.cost_nano_usd = ex.cost_nano_usd;
  }
  (void)m_spool->append(std::move(ev));  // not awaited; a lost record is announced by a gap event
}

}  // namespace gw::stages
