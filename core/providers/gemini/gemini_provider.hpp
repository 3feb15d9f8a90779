#pragma once
// Gemini API: POST /v1beta/models/{model}:generateContent | :streamGenerateContent (?alt=sse) |
// :countTokens, GET /v1beta/models. The model is in the path. Clients send x-goog-api-key (or
// Bearer, or ?key=); upstream gets x-goog-api-key.
#include <nlohmann/json.hpp>

#include "core/providers/provider.hpp"

namespace gw::providers {

class GeminiProvider final : public Provider {
public:
  ApiKind kind() const override { return ApiKind::gemini; }
  std::string_view id() const override { return "gemini"; }
  std::optional<Route> route(std::string_view method, std::string_view path) const override;
  bool owns_path(std::string_view path) const override;
  std::optional<std::string> presented_credential(const http::Request& req) const override;
  void strip_credentials(http::Request& req) const override;
  void set_credential(http::Request& req, std::string_view key) const override;
  Result<RequestInfo> inspect(const Route& route, const http::Request& req) const override;
  std::unique_ptr<UsageTap> usage_tap(const Route& route, bool stream) const override;
  http::Reply error_reply(const ErrorSpec& spec) const override;
};

// Gemini SSE: every chunk carries cumulative usageMetadata; the last one counts. A chunk with a
// candidate finishReason marks completion. JSON: an object, or an array of chunks (stream
// without alt=sse).
class GeminiUsageTap final : public UsageTap {
public:
  void on_event(const http::SseEvent& ev) override;
  void on_json_body(std::string_view body) override;

private:
  void read_chunk(const nlohmann::json& chunk);
};

}  // namespace gw::providers
