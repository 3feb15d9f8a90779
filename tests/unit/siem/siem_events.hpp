#pragma once
// Test events for the SIEM tests: realistic audit records as the central store holds them.
#include <string>

#include "core/audit/event.hpp"
#include "core/common/crypto.hpp"
#include "core/siem/feed.hpp"

namespace gw::siem::test {

// A secret that a guardrail caught: the records only ever carry its fingerprint.
inline const std::string k_planted_secret = "AKIAQ3EGRAMPLE7SECRET";

inline audit::AuditEvent sample_event(uint64_t seq, audit::EventKind kind = audit::EventKind::completed) {
  audit::AuditEvent ev;
  ev.seq = seq;
  ev.prev = std::string(64, '0');
  ev.id = "0194bd2c-5a3b-7c1e-9f00-" + std::to_string(100000000000 + seq);
  ev.kind = kind;
  ev.time_ms = 1738324800123 + static_cast<int64_t>(seq);
  ev.request_id = "req-" + std::to_string(seq);
  ev.device_id = "dev-595bd6fa6d301424";
  ev.user = "alice@example.com";
  ev.virtual_key_id = "vk_alice";
  ev.team = "platform";
  ev.agent = "claude-code";
  ev.agent_session_id = "8d0c7a5e-2b6f-4d1e-9a77-3f1f0e2c9b10";
  ev.provider = "anthropic";
  ev.model = "claude-sonnet-4-5";
  ev.endpoint = "POST /v1/messages";
  ev.streamed = true;
  ev.http_status = kind == audit::EventKind::denied ? 403 : 200;
  ev.decision = kind == audit::EventKind::denied ? audit::Decision::denied : audit::Decision::redacted;
  ev.reason = "1 secret redacted";
  ev.findings = {{"aws-access-key", "messages[2].content[0].text", gw::fingerprint(k_planted_secret)}};
  ev.usage = audit::Usage{1200, 340, 1000, 50, 12};
  ev.cost_nano_usd = 4560000;
  ev.latency = audit::Latency{812000, 95000, 790000};
  ev.bytes_in = 5321;
  ev.bytes_out = 2210;
  ev.policy_version = "p-7";
  ev.gw_version = "0.1.0";
  return ev;
}

inline void fill(MemoryFeed& feed, int n) {
  for (int i = 0; i < n; ++i) feed.append(audit::serialize_event(sample_event(feed.last_position() + 1)));
}

}  // namespace gw::siem::test
