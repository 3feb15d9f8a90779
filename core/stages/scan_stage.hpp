#pragma once
// Guardrails: scans what leaves the machine for secrets and personal data ([guardrails] in
// policy). Runs after limits and before forward.
//
// on_request scans the request body as its API's JSON (system prompts, messages, tool inputs and
// results, Responses input items, Gemini parts; base64 blobs skipped) with the agent session's
// scan cache, so a turn costs time in proportion to its new content. Then, per the policy's
// resolved actions:
//  - block: refuses in the provider's error shape (400; Gemini 403 PERMISSION_DENIED: shown by
//    the agents, never retried) naming rule ids and locations, never values;
//  - redact: replaces each secret span by "[REDACTED:<rule>:<fp8>]" in ex.request.body (valid
//    JSON, byte-identical elsewhere; the upstream client sets the new content-length);
//  - alert: forwards unchanged.
// Every finding lands in ex.findings (rule id, location, fingerprint, action) for audit. When
// responses are scanned it sets ex.response_filter (see response_guard.hpp).
#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/pipeline/stage.hpp"
#include "core/scan/body_scan.hpp"
#include "core/scan/scan_cache.hpp"
#include "core/stages/services.hpp"

namespace gw::stages {

// Guardrail state that outlives pipelines (Services::guardrails): per-session scan caches, which
// are dropped as a whole when the rule set changes (a policy reload with other rules), and the
// counters shown by `gw status`. Thread-safe.
class GuardrailState {
public:
  explicit GuardrailState(size_t max_sessions = 256, size_t entries_per_session = 8192);
  // The cache of one agent session under `scanner`'s rules.
  std::shared_ptr<scan::ScanCache> cache_for(const scan::Scanner& scanner, std::string_view session);

  struct Counters {
    std::atomic<int64_t> requests_scanned{0}, blocks{0}, blocks_cached{0}, bytes_scanned{0};
    std::atomic<int64_t> requests_blocked{0}, requests_redacted{0}, requests_unscannable{0};
    std::atomic<int64_t> findings_block{0}, findings_redact{0}, findings_alert{0};
    std::atomic<int64_t> responses_scanned{0}, response_findings{0}, responses_redacted{0};
  };
  Counters& counters() { return m_counters; }
  // {"requests": {scanned, blocks, blocks_cached, bytes_scanned, blocked, redacted, unscannable},
  //  "findings": {block, redact, alert}, "responses": {scanned, findings, redacted}}
  nlohmann::json to_json() const;

private:
  std::mutex m_mutex;
  size_t m_max_sessions, m_entries;
  uint64_t m_generation = 0;
  std::unique_ptr<scan::SessionScanCaches> m_caches;
  Counters m_counters;
};

class ScanStage final : public pipeline::Stage {
public:
  // `state` may be null (no caching, no counters).
  explicit ScanStage(GuardrailState* state) : m_state(state) {}
  std::string_view name() const override { return "scan"; }
  pipeline::StageStatus on_request(pipeline::Exchange& ex) override;

private:
  GuardrailState* m_state;
};

// The cache key of the exchange's conversation: the agent's own session id, else the gw session,
// else the virtual key; empty when none is known (then nothing is cached).
std::string scan_session_key(const pipeline::Exchange& ex);

}  // namespace gw::stages
