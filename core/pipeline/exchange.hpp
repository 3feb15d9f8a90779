#pragma once
// Exchange: everything known about one request while it passes through the pipeline. Created by
// the listener per request, owned by the request's thread; stages write only the fields they own.
#include <any>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/http/message.hpp"
#include "core/http/upstream.hpp"
#include "core/providers/provider.hpp"

namespace gw::config {
struct Policy;
}

namespace gw::pipeline {

// Who is calling. Set by the auth stage.
struct Identity {
  enum class Kind { none, session, virtual_key, passthrough, anonymous } kind = Kind::none;
  std::string key_id;      // virtual key id (sessions are bound to one); never the secret
  std::string session_id;  // gw session id (not the token), when a session token was used
  std::string user;
  std::string team;
};

// A finding of the guardrail (scan) stage, recorded for audit (never the matched value).
// Request findings are located by JSON path, line and column of the decoded string; response
// findings by "response:" + where in the model's output (e.g. "response:text[0]").
struct Finding {
  std::string rule_id;
  std::string location;     // e.g. "messages[3].content[0].text:12:5"
  std::string fingerprint;  // hash of rule + secret, for allowlisting
  std::string action;       // block | redact | alert
};

struct Exchange;

// Rewrites (or only reads) the upstream response body on its way to the client. A stage sets
// Exchange::response_filter during on_request only when policy needs it; without one the relay
// passes the bytes through untouched. All methods run on the relaying thread, in this order:
// begin once, write per upstream chunk, finish once when the upstream body ended cleanly (not
// after a cut stream).
class ResponseFilter {
public:
  virtual ~ResponseFilter() = default;
  // The upstream head arrived: its status, and whether the body is an SSE stream.
  virtual void begin(Exchange& ex, int status, bool sse) = 0;
  // True (asked after begin) when the filter may change the bytes: the relay then sends what
  // write/finish append to `out`, chunked. False: the filter only reads, the relay sends `in`.
  virtual bool rewrites() const = 0;
  virtual void write(Exchange& ex, std::string_view in, std::string& out) = 0;
  virtual void finish(Exchange& ex, std::string& out) = 0;
};

struct Timings {
  int64_t start_ns = 0;           // request fully received
  int64_t upstream_start_ns = 0;  // request written upstream
  int64_t upstream_head_ns = 0;   // upstream response head received
  int64_t first_byte_ns = 0;      // first body byte relayed to the client
  int64_t end_ns = 0;
};

enum class Outcome { pending, completed, denied, gateway_error, upstream_error, stream_cut, client_gone };
std::string_view outcome_name(Outcome o);

struct Exchange {
  std::string id;  // UUIDv7, also sent as the request-id of gw's own replies
  http::Request request;  // path with any /anthropic|/openai|/gemini prefix removed
  std::string original_path;
  const providers::Provider* provider = nullptr;
  providers::Route route{};
  providers::RequestInfo info;
  std::shared_ptr<const config::Policy> policy;  // the policy this request started with
  Identity identity;
  std::string agent;          // claude-code | codex | gemini-cli | other (from the client)
  std::string agent_session;  // the agent's own session id, when it sends one
  std::vector<Finding> findings;

  // Reply produced by gw itself (a stage returned respond).
  std::optional<http::Reply> reply;
  // Upstream response, once the forward stage got its head.
  std::unique_ptr<http::UpstreamResponse> upstream;
  std::unique_ptr<providers::UsageTap> usage_tap;
  std::unique_ptr<ResponseFilter> response_filter;  // see ResponseFilter; null: bytes untouched
  providers::Usage usage;
  int status = 0;  // status sent to the client
  Outcome outcome = Outcome::pending;
  std::string reason;  // why it was denied or failed (no secrets)
  // Short machine reason of a denial for metrics and audit ("auth", "model", "budget", "rpm",
  // "tpm", "concurrency", "unpriced", "refused"...); set by the stage that denies.
  std::string reason_code;
  int64_t cost_nano_usd = 0;
  int64_t bytes_in = 0, bytes_out = 0;
  Timings t;

  // How many stages' on_request ran (set by Pipeline::run).
  size_t stages_ran = 0;

  // Private per-request state of a stage (e.g. a budget reservation), keyed by the stage's
  // address; created default-constructed on first use.
  template <class T>
  T& state_of(const void* owner) {
    for (auto& [o, a] : m_slots)
      if (o == owner) return *std::any_cast<T>(&a);
    m_slots.emplace_back(owner, T{});
    return *std::any_cast<T>(&m_slots.back().second);
  }

  // Refuses the request: sets reply to an error in the provider's own shape, outcome to `o` and
  // reason to the message. The stage then returns StageStatus::respond.
  void deny(const providers::ErrorSpec& spec, Outcome o = Outcome::denied);

private:
  std::vector<std::pair<const void*, std::any>> m_slots;
};

}  // namespace gw::pipeline
