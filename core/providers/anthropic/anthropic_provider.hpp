#pragma once
// Anthropic Messages API: POST /v1/messages (SSE or JSON; Claude Code adds ?beta=true),
// POST /v1/messages/count_tokens, GET /v1/models. Clients send the key as x-api-key or
// Authorization: Bearer (Claude Code's ANTHROPIC_AUTH_TOKEN); upstream gets x-api-key.
#include "core/providers/provider.hpp"

namespace gw::providers {

class AnthropicProvider final : public Provider {
public:
  ApiKind kind() const override { return ApiKind::anthropic; }
  std::string_view id() const override { return "anthropic"; }
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
