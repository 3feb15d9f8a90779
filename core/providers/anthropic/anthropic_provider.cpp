#include "core/providers/anthropic/anthropic_provider.hpp"

#include <nlohmann/json.hpp>

#include "core/providers/anthropic/anthropic_usage.hpp"
#include "core/providers/common_request.hpp"

namespace gw::providers {

std::optional<Route> AnthropicProvider::route(std::string_view method, std::string_view path) const {
  if (method == "HEAD" && (path == "/" || path.empty())) return Route{Endpoint::preconnect};
  if (method == "GET" && (path == "/v1/models" || path.starts_with("/v1/models/")))
    return Route{Endpoint::models};
  if (method == "POST" && path == "/v1/messages") return Route{Endpoint::messages, true, true};
  if (method == "POST" && path == "/v1/messages/count_tokens") return Route{Endpoint::count_tokens, false, true};
  return std::nullopt;
}

bool AnthropicProvider::owns_path(std::string_view path) const {
  return path.starts_with("/v1/messages") || path.starts_with("/v1/complete");
}

std::optional<std::string> AnthropicProvider::presented_credential(const http::Request& req) const {
  if (auto b = bearer_token(req.headers)) return b;
  if (auto k = req.headers.get("x-api-key")) return std::string(*k);
  return std::nullopt;
}

void AnthropicProvider::strip_credentials(http::Request& req) const {
  req.headers.remove("x-api-key");
  req.headers.remove("authorization");
}

void AnthropicProvider::set_credential(http::Request& req, std::string_view key) const {
  req.headers.set("x-api-key", std::string(key));
}

Result<RequestInfo> AnthropicProvider::inspect(const Route& route, const http::Request& req) const {
  GW_TRY(f, read_required_object(req.body));
  RequestInfo info;
  GW_TRY(model, required_model(f));
  info.model = std::move(model);
  info.stream = route.endpoint == Endpoint::messages && f.stream.value_or(false);
  info.max_output_tokens = f.max_tokens;
  return info;
}

std::unique_ptr<UsageTap> AnthropicProvider::usage_tap(const Route&, bool) const {
  return std::make_unique<AnthropicUsageTap>();
}

http::Reply AnthropicProvider::error_reply(const ErrorSpec& spec) const {
  std::string type;
  switch (spec.status) {
    case 400: case 413: case 422: type = "invalid_request_error"; break;
    case 401: type = "authentication_error"; break;
    case 402: type = "billing_error"; break;
    case 403: type = "permission_error"; break;
    case 404: type = "not_found_error"; break;
    case 429: type = "rate_limit_error"; break;
    case 504: type = "timeout_error"; break;
    case 529: type = "overloaded_error"; break;
    default: type = spec.status >= 500 ? "api_error" : "invalid_request_error";
  }
  nlohmann::json body = {{"type", "error"},
                         {"error", {{"type", type}, {"message", spec.message}}},
                         {"request_id", spec.request_id}};
  http::Reply r;
  r.status = spec.status;
  r.body = body.dump();
  if (!spec.request_id.empty()) r.headers.add("request-id", spec.request_id);
  if (spec.retry_after_s) r.headers.add("retry-after", std::to_string(*spec.retry_after_s));
  return r;
}

}  // namespace gw::providers
