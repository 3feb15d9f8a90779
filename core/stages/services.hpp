#pragma once
// Long-lived services the stages use. They outlive every Pipeline (a policy reload builds a new
// Pipeline over the same Services), so state such as sessions, pooled connections and counters
// survives reloads. Owned by the sidecar (or the server); stages hold references.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/config/policy.hpp"
#include "core/http/upstream.hpp"
#include "core/limits/admission.hpp"
#include "core/limits/usage_log.hpp"
#include "core/providers/registry.hpp"

namespace gw::pipeline {
struct Exchange;
}
namespace gw::audit {
class Spool;
}

namespace gw::stages {

// A launcher session as the auth stage sees it.
struct SessionInfo {
  std::string session_id;
  std::string agent;  // the agent it was minted for
  int64_t expires_ms = 0;
};

// Looks up gw session tokens (implemented by the sidecar's session store).
class SessionVerifier {
public:
  virtual ~SessionVerifier() = default;
  // The live session for `token`, or nullopt when unknown, expired, revoked or its launcher died.
  virtual std::optional<SessionInfo> verify(std::string_view token) const = 0;
};

// Produces the real provider key for a provider config (env var, file, keychain).
class CredentialResolver {
public:
  virtual ~CredentialResolver() = default;
  // The key, or an error whose message tells the developer how to provide it (no secret inside).
  virtual Result<std::string> key_for(const config::ProviderConfig& provider) const = 0;
  // The secret store the keys come from ("secret-service", "keychain", or "file": the insecure
  // 0600-file fallback, which audit events flag); empty when no store is open.
  virtual std::string_view store_backend() const { return {}; }
  // Where key_for(provider) takes the key from, without reading it (for audit events): "env",
  // "key-file", or the store backend; empty when unknown. Cheap; called once per policy load.
  virtual std::string_view source_for(const config::ProviderConfig&) const { return store_backend(); }
};

// Receives every finished exchange (stats for `gw status`, logs). Must be cheap and thread-safe.
class ExchangeSink {
public:
  virtual ~ExchangeSink() = default;
  // Called once per request as soon as it is received (before any stage runs); every begin() is
  // followed by exactly one record() of the same exchange. For in-flight gauges.
  virtual void begin(const pipeline::Exchange&) {}
  // Called once per finished exchange, after the stages' on_complete.
  virtual void record(const pipeline::Exchange& ex) = 0;
};

class GuardrailState;  // scan_stage.hpp

struct Services {
  const providers::Registry& registry;
  http::UpstreamPool& upstream;
  const SessionVerifier& sessions;
  const CredentialResolver& credentials;
  ExchangeSink& sink;
  const Clock& clock;
  limits::Admission& admission;       // budgets and rate limits across policy reloads
  limits::UsageLog* usage_log = nullptr;  // per-request records for `gw usage`, when available
  GuardrailState* guardrails = nullptr;   // scan caches and counters across policy reloads
  // The local audit spool, when policy turns audit on and it opened. Read once per pipeline
  // build (set it before build_pipeline; never change it while a pipeline built over it runs).
  audit::Spool* audit_spool = nullptr;
  // Where the device key signing the spool is kept ("secret-service", "keychain", "file"), for
  // audit events; set with audit_spool.
  std::string device_key_store;
};

}  // namespace gw::stages
