#include "core/stages/scan_stage.hpp"

#include <algorithm>

#include "core/config/policy.hpp"
#include "core/pipeline/exchange.hpp"
#include "core/scan/actions.hpp"
#include "core/stages/policy_denial.hpp"
#include "core/stages/response_guard.hpp"

namespace gw::stages {

using pipeline::StageStatus;

GuardrailState::GuardrailState(size_t max_sessions, size_t entries_per_session)
    : m_max_sessions(max_sessions), m_entries(entries_per_session) {}

std::shared_ptr<scan::ScanCache> GuardrailState::cache_for(const scan::Scanner& scanner, std::string_view session) {
  std::lock_guard lock(m_mutex);
  // Entries are keyed by the scanner generation anyway; dropping the old caches frees them at once.
  if (!m_caches || m_generation != scanner.generation()) {
    m_caches = std::make_unique<scan::SessionScanCaches>(m_max_sessions, m_entries);
    m_generation = scanner.generation();
  }
  return m_caches->for_session(session);
}

nlohmann::json GuardrailState::to_json() const {
  const Counters& c = m_counters;
  return {{"requests", {{"scanned", c.requests_scanned.load()}, {"blocks", c.blocks.load()},
                        {"blocks_cached", c.blocks_cached.load()}, {"bytes_scanned", c.bytes_scanned.load()},
                        {"blocked", c.requests_blocked.load()}, {"redacted", c.requests_redacted.load()},
                        {"unscannable", c.requests_unscannable.load()}}},
          {"findings", {{"block", c.findings_block.load()}, {"redact", c.findings_redact.load()},
                        {"alert", c.findings_alert.load()}}},
          {"responses", {{"scanned", c.responses_scanned.load()}, {"findings", c.response_findings.load()},
                         {"redacted", c.responses_redacted.load()}}}};
}

std::string scan_session_key(const pipeline::Exchange& ex) {
  if (!ex.agent_session.empty()) return "agent:" + ex.agent_session;
  if (!ex.identity.session_id.empty()) return "gw:" + ex.identity.session_id;
  if (!ex.identity.key_id.empty()) return "key:" + ex.identity.key_id;
  return "";
}

namespace {

scan::BodyKind body_kind(const providers::Provider& p) {
  switch (p.kind()) {
    case providers::ApiKind::anthropic: return scan::BodyKind::anthropic;
    case providers::ApiKind::openai: return scan::BodyKind::openai;
    case providers::ApiKind::gemini: return scan::BodyKind::gemini;
  }
  return scan::BodyKind::json;
}

std::string location_of(const scan::Finding& f) {
  std::string loc = f.json_path.empty() ? "body" : f.json_path;
  if (f.line) loc += ":" + std::to_string(f.line) + ":" + std::to_string(f.column);
  return loc;
}

bool model_call(providers::Endpoint e) {
  return e == providers::Endpoint::messages || e == providers::Endpoint::responses ||
         e == providers::Endpoint::chat_completions || e == providers::Endpoint::generate_content;
}

}  // namespace

bool fingerprint_allowed(const scan::ActionPolicy& actions, std::string_view fingerprint) {
  for (const auto& a : actions.allowed_fingerprints)
    if (fingerprint.starts_with(a)) return true;  // the full 16 hex, or the 8 shown in messages
  return false;
}

StageStatus ScanStage::on_request(pipeline::Exchange& ex) {
  if (!ex.policy) return StageStatus::proceed;
  const config::Guardrails& g = ex.policy->guardrails;
  if (!g.enabled || !g.scanner) return StageStatus::proceed;

  if (g.response_action != config::Guardrails::ResponseAction::off && model_call(ex.route.endpoint))
    ex.response_filter = make_response_guard(g, ex.provider->kind(), m_state);

  if (!ex.route.has_body || ex.request.body.empty()) return StageStatus::proceed;
  std::shared_ptr<scan::ScanCache> cache;
  if (std::string key = scan_session_key(ex); m_state && !key.empty()) cache = m_state->cache_for(*g.scanner, key);
  auto scanned = scan::scan_body(*g.scanner, ex.request.body, body_kind(*ex.provider), cache.get());
  GuardrailState::Counters* c = m_state ? &m_state->counters() : nullptr;
  if (!scanned) {
    if (c) ++c->requests_unscannable;
    if (g.on_unscannable == config::Guardrails::OnUnscannable::block) {
      ex.deny({refusal_status(*ex.provider),
               "gw could not scan this request for secrets (" + scanned.error().message +
                   "), and policy refuses what it cannot scan (guardrails.on_unscannable = \"block\")."});
      ex.reason_code = "unscannable";
      return StageStatus::respond;
    }
    ex.findings.push_back({"gw-unscannable", "body", "", "alert"});
    return StageStatus::proceed;
  }
  if (c) {
    ++c->requests_scanned;
    c->blocks += static_cast<int64_t>(scanned->stats.blocks);
    c->blocks_cached += static_cast<int64_t>(scanned->stats.blocks_cached);
    c->bytes_scanned += static_cast<int64_t>(scanned->stats.bytes_scanned);
  }
  std::vector<scan::Finding>& found = scanned->findings;
  std::erase_if(found, [&](const scan::Finding& f) { return fingerprint_allowed(g.actions, f.fingerprint); });
  if (found.empty()) return StageStatus::proceed;

  scan::Decision d = scan::decide(found, g.actions);
  for (auto [list, action] : {std::pair{&d.block, scan::Action::block}, std::pair{&d.redact, scan::Action::redact},
                              std::pair{&d.alert, scan::Action::alert}}) {
    for (const auto& f : *list)
      ex.findings.push_back({f.rule_id, location_of(f), f.fingerprint, std::string(scan::action_name(action))});
  }
  if (c) {
    c->findings_block += static_cast<int64_t>(d.block.size());
    c->findings_redact += static_cast<int64_t>(d.redact.size());
    c->findings_alert += static_cast<int64_t>(d.alert.size());
  }
  if (!d.block.empty()) {
    if (c) ++c->requests_blocked;
    ex.deny({refusal_status(*ex.provider), scan::block_message(d.block)});
    ex.reason_code = "secret";
    return StageStatus::respond;
  }
  if (!d.redact.empty()) {
    if (c) ++c->requests_redacted;
    ex.request.body = scan::redact(ex.request.body, d.redact);
  }
  return StageStatus::proceed;
}

}  // namespace gw::stages
