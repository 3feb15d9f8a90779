#include "core/providers/openai/openai_provider.hpp"

#include <nlohmann/json.hpp>

#include "core/providers/common_request.hpp"
#include "core/providers/openai/openai_usage.hpp"

namespace gw::providers {

std::optional<Route> OpenAiProvider::route(std::string_view method, std::string_view path) const {
  if (method == "GET" && (path == "/v1/models" || path.starts_with("/v1/models/"))) return Route{Endpoint::models};
  if (method == "POST" && path == "/v1/responses") return Route{Endpoint::responses, true, true};
  if (method == "POST" && path == "/v1/chat/completions") return Route{Endpoint::chat_completions, true, true};
  return std::nullopt;
}

bool OpenAiProvider::owns_path(std::string_view path) const {
  return path.starts_with("/v1/responses") || path.starts_with("/v1/chat/") ||
         path.starts_with("/v1/completions") || path.starts_with("/v1/embeddings");
}

std::optional<std::string> OpenAiProvider::presented_credential(const http::Request& req) const {
  return bearer_token(req.headers);
}

void OpenAiProvider::strip_credentials(http::Request& req) const { req.headers.remove("authorization"); }

void OpenAiProvider::set_credential(http::Request& req, std::string_view key) const {
  req.headers.set("Authorization", "Bearer " + std::string(key));
}

Result<RequestInfo> OpenAiProvider::inspect(const Route& route, const http::Request& req) const {
  GW_TRY(f, read_required_object(req.body));
  RequestInfo info;
  GW_TRY(model, required_model(f));
  info.model = std::move(model);
  info.stream = f.stream.value_or(false);
  if (route.endpoint == Endpoint::responses) info.max_output_tokens = f.max_output_tokens;
  else info.max_output_tokens = f.max_completion_tokens ? f.max_completion_tokens : f.max_tokens;
  return info;
}

std::unique_ptr<UsageTap> OpenAiProvider::usage_tap(const Route& route, bool) const {
  if (route.endpoint == Endpoint::chat_completions) return std::make_unique<ChatUsageTap>();
  return std::make_unique<ResponsesUsageTap>();
}

http::Reply OpenAiProvider::error_reply(const ErrorSpec& spec) const {
  std::string type, code;
  switch (spec.status) {
    case 401: type = "invalid_request_error"; code = "invalid_api_key"; break;
    case 403: type = "permission_error"; code = "permission_denied"; break;
    case 404: type = "invalid_request_error"; code = "not_found"; break;
    case 413: type = "invalid_request_error"; code = "request_too_large"; break;
    case 429: type = "rate_limit_error"; code = "rate_limit_exceeded"; break;
    default:
      type = spec.status >= 500 ? "server_error" : "invalid_request_error";
      code = spec.status >= 500 ? "gateway_error" : "policy_violation";
  }
  nlohmann::json body = {{"error", {{"message", spec.message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
  http::Reply r;
  r.status = spec.status;
  r.body = body.dump();
  if (!spec.request_id.empty()) r.headers.add("x-request-id", spec.request_id);
  if (spec.retry_after_s) r.headers.add("retry-after", std::to_string(*spec.retry_after_s));
  return r;
}

}  // namespace gw::providers
