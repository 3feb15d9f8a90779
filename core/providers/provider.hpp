#pragma once
// A Provider knows one wire API (Anthropic Messages, OpenAI Responses/Chat, Gemini): its routes,
// where clients put credentials, how to read the model and usage, and its error shape. Stages never
// parse vendor JSON themselves; they ask the request's Provider. Providers are stateless and
// immutable after construction; every method is safe to call from any thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/result.hpp"
#include "core/http/message.hpp"
#include "core/http/sse.hpp"

namespace gw::providers {

enum class ApiKind { anthropic, openai, gemini };
std::string_view api_kind_name(ApiKind k);

enum class Endpoint {
  preconnect,       // HEAD / (Claude Code's fire-and-forget preconnect)
  models,           // GET model list
  messages,         // Anthropic POST /v1/messages
  count_tokens,     // Anthropic /v1/messages/count_tokens, Gemini :countTokens (not billable)
  responses,        // OpenAI POST /v1/responses
  chat_completions, // OpenAI POST /v1/chat/completions
  generate_content, // Gemini :generateContent and :streamGenerateContent
};
std::string_view endpoint_name(Endpoint e);

struct Route {
  Endpoint endpoint;
  bool billable = false;      // spends tokens (count_tokens and model lists do not)
  bool has_body = false;      // a JSON request body is expected
  std::string model_in_path;  // Gemini puts the model in the path
  bool stream_in_path = false; // Gemini :streamGenerateContent
};

// What the gateway needs to know about a request body.
struct RequestInfo {
  std::string model;                         // empty for routes without a model
  bool stream = false;                       // the response will be SSE
  std::optional<int64_t> max_output_tokens;  // the client's cap, when it sent one
};

// Token usage as the provider reported it. Counts are totals for the request.
struct Usage {
  int64_t input = 0;           // uncached input tokens
  int64_t output = 0;          // output tokens (including reasoning where the API counts it so)
  int64_t cache_read = 0;
  int64_t cache_write_5m = 0;  // Anthropic distinguishes 5 min and 1 h cache writes
  int64_t cache_write_1h = 0;
  int64_t reasoning = 0;       // reasoning/thinking tokens (informational where included in output)
  bool reported = false;       // the provider reported usage at all
  int64_t cache_write() const { return cache_write_5m + cache_write_1h; }
};

// Collects usage from one response; fed by the relay as bytes pass. Must be cheap: it skips
// events that cannot carry usage without parsing them. Implementations fill m_usage and set
// m_completed.
class UsageTap {
public:
  virtual ~UsageTap() = default;
  virtual void on_event(const http::SseEvent& ev) = 0;     // each SSE event of a stream
  virtual void on_json_body(std::string_view body) = 0;    // a complete non-stream JSON body
  const Usage& usage() const { return m_usage; }
  // The stream reached the API's own "finished" marker (message_stop, response.completed,
  // [DONE], or the last Gemini chunk with finishReason). False after a cut stream.
  bool completed() const { return m_completed; }

protected:
  Usage m_usage;
  bool m_completed = false;
};

// How a denial or gateway error should read. `type` chooses the provider's error type/status word
// when the status alone is ambiguous.
struct ErrorSpec {
  int status = 400;
  std::string message;                     // shown verbatim by the agents: say what and what to do
  std::optional<int64_t> retry_after_s;    // sent as retry-after (and Gemini RetryInfo)
  std::string request_id;                  // echoed as request-id where the API has one
};

class Provider {
public:
  virtual ~Provider() = default;
  virtual ApiKind kind() const = 0;
  virtual std::string_view id() const = 0;  // "anthropic" | "openai" | "gemini"

  // Recognises method + path (any /anthropic, /openai, /gemini prefix already removed).
  virtual std::optional<Route> route(std::string_view method, std::string_view path) const = 0;
  // True when the path has this API's shape (used to pick the provider for unknown routes).
  virtual bool owns_path(std::string_view path) const = 0;

  // The credential the client presented (gw session token, virtual key or the developer's own
  // login), read from wherever this API's clients put it. nullopt when none.
  virtual std::optional<std::string> presented_credential(const http::Request& req) const = 0;
  // Removes every credential the client sent (headers and ?key= query), before forwarding.
  virtual void strip_credentials(http::Request& req) const = 0;
  // Puts the real provider key where the provider expects it.
  virtual void set_credential(http::Request& req, std::string_view key) const = 0;

  // Reads model / stream / output cap from a validated JSON body (route.has_body) and the path.
  virtual Result<RequestInfo> inspect(const Route& route, const http::Request& req) const = 0;
  virtual std::unique_ptr<UsageTap> usage_tap(const Route& route, bool stream) const = 0;
  // An error reply in this API's own JSON error shape.
  virtual http::Reply error_reply(const ErrorSpec& spec) const = 0;
};

}  // namespace gw::providers
