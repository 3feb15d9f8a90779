#include "core/providers/gemini/gemini_provider.hpp"

#include "core/providers/common_request.hpp"
#include "core/providers/json_util.hpp"

namespace gw::providers {

std::optional<Route> GeminiProvider::route(std::string_view method, std::string_view path) const {
  std::string_view rest;
  if (path.starts_with("/v1beta/models")) rest = path.substr(14);
  else if (path.starts_with("/v1/models")) rest = path.substr(10);
  else if (path.starts_with("/v1alpha/models")) rest = path.substr(15);
  else return std::nullopt;
  if (method == "GET") return Route{Endpoint::models};
  if (method != "POST" || !rest.starts_with("/")) return std::nullopt;
  rest.remove_prefix(1);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string model(rest.substr(0, colon));
  std::string_view verb = rest.substr(colon + 1);
  if (model.find('/') != std::string::npos) return std::nullopt;
  Route r{Endpoint::generate_content, true, true, model};
  if (verb == "generateContent") return r;
  if (verb == "streamGenerateContent") {
    r.stream_in_path = true;
    return r;
  }
  if (verb == "countTokens") return Route{Endpoint::count_tokens, false, true, model};
  return std::nullopt;
}

bool GeminiProvider::owns_path(std::string_view path) const {
  return path.starts_with("/v1beta/") || path.starts_with("/v1alpha/") ||
         (path.starts_with("/v1/models/") && path.find(':') != std::string_view::npos);
}

std::optional<std::string> GeminiProvider::presented_credential(const http::Request& req) const {
  if (auto k = req.headers.get("x-goog-api-key")) return std::string(*k);
  if (auto b = bearer_token(req.headers)) return b;
  std::string q = req.query;
  return take_query_param(q, "key");
}

void GeminiProvider::strip_credentials(http::Request& req) const {
  req.headers.remove("x-goog-api-key");
  req.headers.remove("authorization");
  take_query_param(req.query, "key");
}

void GeminiProvider::set_credential(http::Request& req, std::string_view key) const {
  req.headers.set("x-goog-api-key", std::string(key));
}

Result<RequestInfo> GeminiProvider::inspect(const Route& route, const http::Request& req) const {
  GW_TRY(f, read_required_object(req.body));
  RequestInfo info;
  info.model = route.model_in_path;
  info.stream = route.stream_in_path;
  info.max_output_tokens = f.gemini_max_output_tokens;
  return info;
}

std::unique_ptr<UsageTap> GeminiProvider::usage_tap(const Route&, bool) const {
  return std::make_unique<GeminiUsageTap>();
}

http::Reply GeminiProvider::error_reply(const ErrorSpec& spec) const {
  std::string status;
  switch (spec.status) {
    case 400: case 413: status = "INVALID_ARGUMENT"; break;
    case 401: status = "UNAUTHENTICATED"; break;
    case 403: status = "PERMISSION_DENIED"; break;
    case 404: status = "NOT_FOUND"; break;
    case 429: status = "RESOURCE_EXHAUSTED"; break;
    case 502: case 503: status = "UNAVAILABLE"; break;
    case 504: status = "DEADLINE_EXCEEDED"; break;
    default: status = spec.status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
  }
  nlohmann::json err = {{"code", spec.status}, {"message", spec.message}, {"status", status}};
  if (spec.retry_after_s)
    err["details"] = nlohmann::json::array(
        {{{"@type", "type.googleapis.com/google.rpc.RetryInfo"},
          {"retryDelay", std::to_string(*spec.retry_after_s) + "s"}}});
  http::Reply r;
  r.status = spec.status;
  r.body = nlohmann::json{{"error", err}}.dump();
  if (spec.retry_after_s) r.headers.add("retry-after", std::to_string(*spec.retry_after_s));
  return r;
}

void GeminiUsageTap::read_chunk(const nlohmann::json& chunk) {
  const auto& u = obj_at(chunk, "usageMetadata");
  if (u.is_object()) {
    m_usage.reported = true;
    m_usage.cache_read = int_at(u, "cachedContentTokenCount");
    m_usage.input = std::max<int64_t>(0, int_at(u, "promptTokenCount") - m_usage.cache_read) +
                    int_at(u, "toolUsePromptTokenCount");
    m_usage.reasoning = int_at(u, "thoughtsTokenCount");
    m_usage.output = int_at(u, "candidatesTokenCount") + m_usage.reasoning;
  }
  const auto& cands = obj_at(chunk, "candidates");
  if (cands.is_array())
    for (const auto& c : cands)
      if (c.is_object() && c.contains("finishReason")) m_completed = true;
}

void GeminiUsageTap::on_event(const http::SseEvent& ev) {
  if (ev.data.find("usageMetadata") == std::string::npos && ev.data.find("finishReason") == std::string::npos)
    return;
  read_chunk(parse_lenient(ev.data));
}

void GeminiUsageTap::on_json_body(std::string_view body) {
  auto j = parse_lenient(body);
  if (j.is_array()) {
    for (const auto& chunk : j) read_chunk(chunk);
  } else {
    read_chunk(j);
    if (j.is_object() && j.contains("totalTokens")) m_completed = true;  // countTokens
  }
}

}  // namespace gw::providers
