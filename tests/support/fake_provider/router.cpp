// Routing of the fake provider: recognises each API's paths behind any prefix, logs every
// request before its response is written, checks credentials, applies the fault queue and hands
// model requests to the provider-specific writers. Test-only routes live under /__.
#include <openssl/crypto.h>

#include <chrono>

#include "tests/support/fake_provider/fake.hpp"

namespace gw::fake {
namespace {

enum class Route {
  root, anthropic_messages, anthropic_count, models_list, responses, responses_ws, chat,
  gemini_generate, gemini_stream, gemini_count, gemini_models, unknown
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Gemini paths: {prefix}/v1beta/models/{model}:{action}; `model` and `action` are filled in.
bool gemini_path(const std::string& path, std::string& model, std::string& action) {
  size_t m = path.rfind("/models/");
  if (m == std::string::npos) return false;
  std::string tail = path.substr(m + 8);
  size_t colon = tail.rfind(':');
  if (colon == std::string::npos || tail.find('/') != std::string::npos) return false;
  model = tail.substr(0, colon);
  action = tail.substr(colon + 1);
  return path.find("/v1") != std::string::npos;
}

Route classify(const std::string& method, const std::string& path, std::string& model) {
  bool get = method == "GET" || method == "HEAD", post = method == "POST";
  std::string action;
  if (post && ends_with(path, "/v1/messages/count_tokens")) return Route::anthropic_count;
  if (post && ends_with(path, "/v1/messages")) return Route::anthropic_messages;
  if (get && ends_with(path, "/v1/models")) return Route::models_list;
  if (post && ends_with(path, "/v1/responses")) return Route::responses;
  if (get && ends_with(path, "/v1/responses")) return Route::responses_ws;
  if (post && ends_with(path, "/v1/chat/completions")) return Route::chat;
  if (post && gemini_path(path, model, action)) {
    if (action == "generateContent") return Route::gemini_generate;
    if (action == "streamGenerateContent") return Route::gemini_stream;
    if (action == "countTokens") return Route::gemini_count;
  }
  if (get && (ends_with(path, "/v1beta/models") || ends_with(path, "/v1alpha/models")))
    return Route::gemini_models;
  if (get && (path == "/" || path.empty())) return Route::root;
  return Route::unknown;
}

std::optional<Api> route_api(Route r, const httplib::Request& req) {
  switch (r) {
    case Route::anthropic_messages: case Route::anthropic_count: return Api::anthropic;
    case Route::responses: case Route::responses_ws: case Route::chat: return Api::openai;
    case Route::gemini_generate: case Route::gemini_stream: case Route::gemini_count:
    case Route::gemini_models: return Api::gemini;
    case Route::models_list:
      return req.has_header("anthropic-version") ? Api::anthropic : Api::openai;
    default: return std::nullopt;
  }
}

bool same(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool authorized(const Context& ctx, Api api, const httplib::Request& req) {
  auto it = ctx.opts.expect_keys.find(api);
  if (it == ctx.opts.expect_keys.end()) return true;
  const std::string& key = it->second;
  bool bearer = req.has_header("Authorization") && same(req.get_header_value("Authorization"), "Bearer " + key);
  if (api == Api::anthropic)
    return bearer || (req.has_header("x-api-key") && same(req.get_header_value("x-api-key"), key));
  if (api == Api::gemini)
    return bearer || (req.has_header("x-goog-api-key") && same(req.get_header_value("x-goog-api-key"), key)) ||
           (req.has_param("key") && same(req.get_param_value("key"), key));
  return bearer;
}

const char* auth_message(Api api) {
  switch (api) {
    case Api::anthropic: return "invalid x-api-key";
    case Api::openai: return "Incorrect API key provided.";
    case Api::gemini: return "API key not valid. Please pass a valid API key.";
  }
  return "";
}

json models_list(Api api, Route r) {
  if (r == Route::gemini_models) {
    json models = json::array();
    for (const char* m : {"gemini-3.8-flash", "gemini-3.5-flash-lite", "gemini-3.1-pro-preview"})
      models.push_back({{"name", std::string("models/") + m}, {"displayName", m},
                        {"supportedGenerationMethods", {"generateContent", "countTokens"}}});
    return {{"models", models}};
  }
  if (api == Api::anthropic) {
    json data = json::array();
    for (const char* m : {"claude-opus-4-8", "claude-sonnet-4-6", "claude-haiku-4-5"})
      data.push_back({{"type", "model"}, {"id", m}, {"display_name", m},
                      {"created_at", "2026-01-01T00:00:00Z"}});
    return {{"data", data}, {"has_more", false}, {"first_id", data.front()["id"]},
            {"last_id", data.back()["id"]}};
  }
  json data = json::array();
  for (const char* m : {"gpt-5-codex", "gpt-6.1-sol", "gpt-5-mini"})
    data.push_back({{"id", m}, {"object", "model"}, {"created", 1767225600}, {"owned_by", "openai"}});
  return {{"object", "list"}, {"data", data}};
}

// Model requests: auth, then the fault queue, then the reply.
void model_request(Context& ctx, Route r, Api api, const httplib::Request& req,
                   httplib::Response& res, const json& body, const std::string& path_model) {
  if (!body.is_object()) {
    error_reply(res, api, 400, "request body must be a JSON object", -1, ctx.new_id("req_fake_"));
    return;
  }
  Call call{ctx, req, res, body, false};
  call.streaming = r == Route::gemini_stream || (body.contains("stream") && body["stream"] == true);
  std::optional<Fault> fault = ctx.faults.take(api, req.path, call.streaming);
  if (fault && fault->mode == "status") {
    std::string msg = fault->message.empty()
                          ? "fake_provider: injected HTTP " + std::to_string(fault->status)
                          : fault->message;
    error_reply(res, api, fault->status, msg, fault->retry_after, ctx.new_id("req_fake_"));
    return;
  }
  std::string model = api == Api::gemini ? path_model : body.value("model", std::string("unknown"));
  std::optional<json> schema;
  if (r == Route::anthropic_messages) schema = anthropic_schema(body);
  if (r == Route::responses) schema = responses_schema(body);
  if (r == Route::chat) schema = chat_schema(body);
  if (api == Api::gemini) schema = gemini_schema(body);
  Plan plan = make_plan(ctx, api, body, req.body.size(), model, fault, schema);
  if (r == Route::anthropic_messages) anthropic_messages(call, plan);
  if (r == Route::responses) openai_responses(call, plan);
  if (r == Route::chat) openai_chat(call, plan);
  if (api == Api::gemini) gemini_generate(call, plan);
}

void serve(Context& ctx, Route r, const httplib::Request& req, httplib::Response& res,
           const json& body, const std::string& model) {
  std::optional<Api> api = route_api(r, req);
  if (api && !authorized(ctx, *api, req)) {
    error_reply(res, *api, 401, auth_message(*api), -1, ctx.new_id("req_fake_"));
    return;
  }
  long tokens = count_input_tokens(req.body.size());
  switch (r) {
    case Route::root: res.set_content("ok", "text/plain"); return;
    case Route::anthropic_count: res.set_content(json{{"input_tokens", tokens}}.dump(), "application/json"); return;
    case Route::gemini_count:
      res.set_content(json{{"totalTokens", tokens},
                           {"promptTokensDetails", {{{"modality", "TEXT"}, {"tokenCount", tokens}}}}}.dump(),
                      "application/json");
      return;
    case Route::models_list: case Route::gemini_models:
      res.set_content(models_list(*api, r).dump(), "application/json");
      return;
    case Route::responses_ws:
      error_reply(res, Api::openai, 404, "fake_provider: no websocket transport", -1, ctx.new_id("req_fake_"));
      return;
    case Route::unknown:
      res.status = 404;
      res.set_content(json{{"error", {{"message", "fake_provider: no route for " + req.method + " " + req.path},
                                      {"type", "not_found"}}}}.dump(),
                      "application/json");
      return;
    default: model_request(ctx, r, *api, req, res, body, model);
  }
}

double now_epoch() {
  using namespace std::chrono;
  return double(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()) / 1e6;
}

json log_record(const httplib::Request& req, const json& body, std::optional<Api> api, int status) {
  std::string target = current_request_target();
  size_t q = target.find('?');
  json headers = json::array();
  for (auto& [name, value] : current_raw_headers()) headers.push_back({name, value});
  json params = json::object();
  for (auto& [k, v] : req.params) params[k] = v;
  return {{"ts", now_epoch()},
          {"method", req.method},
          {"path", q == std::string::npos ? target : target.substr(0, q)},
          {"query", q == std::string::npos ? "" : target.substr(q + 1)},
          {"params", params},
          {"headers", headers},
          {"body", body.is_discarded() ? json(req.body) : body},
          {"body_bytes", req.body.size()},
          {"api", api ? json(api_name(*api)) : json(nullptr)},
          {"status", status},
          {"tls", current_is_tls()}};
}

void control(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  json spec = json::object();
  if (req.method == "POST" && !req.body.empty()) {
    spec = json::parse(req.body, nullptr, false);
  } else {
    for (auto& [k, v] : req.params) spec[k] = v;
  }
  std::string error;
  if (spec.is_object() && spec.value("mode", "") == "reset") {
    ctx.faults.clear();
  } else {
    Fault f = parse_fault(spec, error);
    if (!error.empty()) {
      res.status = 400;
      res.set_content(json{{"ok", false}, {"error", error}}.dump(), "application/json");
      return;
    }
    ctx.faults.push(std::move(f));
  }
  res.set_content(json{{"ok", true}, {"pending", ctx.faults.pending()}}.dump(), "application/json");
}

void dispatch(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (req.path.rfind("/__", 0) == 0) {
    if (req.path == "/__health") res.set_content(R"({"ok":true})", "application/json");
    else if (req.path == "/__log") res.set_content(ctx.log->all().dump(), "application/json");
    else if (req.path == "/__control") control(ctx, req, res);
    else res.status = 404;
    return;
  }
  std::string model;
  Route r = classify(req.method, req.path, model);
  json body = req.body.empty() ? json(nullptr) : json::parse(req.body, nullptr, false);
  serve(ctx, r, req, res, body.is_discarded() ? json() : body, model);
  if (res.status == -1) res.status = 200;
  // Logged before httplib writes the response, so a client holding a response can read it.
  ctx.log->append(log_record(req, body, route_api(r, req), res.status));
}

}  // namespace

void install_routes(httplib::Server& server, Context& ctx) {
  auto handler = [&ctx](const httplib::Request& req, httplib::Response& res) { dispatch(ctx, req, res); };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Patch(".*", handler);
  server.Delete(".*", handler);
  server.Options(".*", handler);
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content(json{{"error", {{"message", "fake_provider bug: " + what}}}}.dump(), "application/json");
  });
}

}  // namespace gw::fake
