#pragma once
// OpenAI: POST /v1/responses (Codex; SSE), POST /v1/chat/completions (SSE with
// stream_options.include_usage, or JSON), GET /v1/models. Key: Authorization: Bearer.
#include "core/providers/provider.hpp"

namespace gw::providers {

class OpenAiProvider final : public Provider {
public:
  ApiKind kind() const override { return ApiKind::openai; }
  std::string_view id() const override { return "openai"; }
  std::optional<Route> route(std::string_view method, std::string_view path) const override;
  bool owns_path(std::string_view path) const override;
  std::optional<std::string> presented_credential(const http::Request& req) const override;
  void strip_credentials(http::Request& req) const override;
  void set_credential(http::Request& req, std::string_view key) const override;
  Result<RequestInfo> inspect(const Route& route, const http::Request& req) const override;
  std::unique_ptr<UsageTap> usage_tap(const Route& route, bool stream) const override;
  http::Reply error_reply(const ErrorSpec& spec) const override;
};

}  // namespace gw::providers
