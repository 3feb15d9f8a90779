// Provider-neutral reply building: the plan of a reply, JSON-schema samples, error bodies in each
// provider's shape, and the SSE writer that applies the stream faults.
#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include "tests/support/fake_provider/fake.hpp"

namespace gw::fake {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string schema_type(const json& schema) {
  if (!schema.contains("type")) {
    if (schema.contains("properties")) return "object";
    if (schema.contains("items")) return "array";
    return "string";
  }
  const json& t = schema["type"];
  if (t.is_string()) return lower(t.get<std::string>());
  if (t.is_array())
    for (const json& x : t)
      if (x.is_string() && lower(x.get<std::string>()) != "null") return lower(x.get<std::string>());
  return "null";
}

double clamp_number(const json& schema, double v) {
  if (schema.contains("minimum") && schema["minimum"].is_number())
    v = std::max(v, schema["minimum"].get<double>());
  if (schema.contains("exclusiveMinimum") && schema["exclusiveMinimum"].is_number())
    v = std::max(v, schema["exclusiveMinimum"].get<double>() + 1);
  if (schema.contains("maximum") && schema["maximum"].is_number())
    v = std::min(v, schema["maximum"].get<double>());
  if (schema.contains("exclusiveMaximum") && schema["exclusiveMaximum"].is_number())
    v = std::min(v, schema["exclusiveMaximum"].get<double>() - 1);
  return v;
}

const char* anthropic_error_type(int status) {
  switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 529: return "overloaded_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

const char* google_status(int status) {
  switch (status) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 429: return "RESOURCE_EXHAUSTED";
    case 499: return "CANCELLED";
    case 501: return "UNIMPLEMENTED";
    case 503: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
  }
}

void openai_error_kind(int status, std::string& type, json& code) {
  type = status >= 500 ? "server_error" : "invalid_request_error";
  code = nullptr;
  if (status == 401) code = "invalid_api_key";
  if (status == 403) code = "permission_denied";
  if (status == 404) code = "model_not_found";
  if (status == 429) {
    type = "requests";
    code = "rate_limit_exceeded";
  }
  if (status >= 500) code = "server_error";
}

}  // namespace

long count_input_tokens(std::size_t body_bytes) { return std::max<long>(1, long(body_bytes / 4)); }

std::string sse(const std::string& event, const json& data) {
  return "event: " + event + "\ndata: " + data.dump() + "\n\n";
}

json sample_from_schema(const json& schema) {
  if (!schema.is_object()) return "pong";
  if (schema.contains("const")) return schema["const"];
  if (schema.contains("enum") && schema["enum"].is_array() && !schema["enum"].empty())
    return schema["enum"][0];
  for (const char* alt : {"anyOf", "oneOf", "allOf"})
    if (schema.contains(alt) && schema[alt].is_array() && !schema[alt].empty())
      return sample_from_schema(schema[alt][0]);
  std::string type = schema_type(schema);
  if (type == "object") {
    json out = json::object();
    if (schema.contains("properties") && schema["properties"].is_object())
      for (const auto& [name, sub] : schema["properties"].items()) out[name] = sample_from_schema(sub);
    return out;
  }
  if (type == "array") {
    json item = sample_from_schema(schema.value("items", json::object()));
    std::size_t n = schema.contains("minItems") ? schema["minItems"].get<std::size_t>() : 1;
    if (schema.contains("maxItems")) n = std::min(n, schema["maxItems"].get<std::size_t>());
    return json(std::vector<json>(std::max<std::size_t>(n, schema.contains("maxItems") ? 0 : 1), item));
  }
  if (type == "integer") return long(clamp_number(schema, 10));
  if (type == "number") return clamp_number(schema, 10);
  if (type == "boolean") return true;
  if (type == "null") return nullptr;
  std::string s = "pong";
  if (schema.contains("minLength") && schema["minLength"].is_number_integer())
    while (s.size() < schema["minLength"].get<std::size_t>()) s += "g";
  if (schema.contains("maxLength") && schema["maxLength"].is_number_integer())
    s.resize(std::min(s.size(), schema["maxLength"].get<std::size_t>()));
  return s;
}

std::vector<std::string> split_text(const std::string& text, int pieces, bool plain) {
  std::vector<std::string> out;
  pieces = std::max(1, pieces);
  if (plain && std::size_t(pieces) > text.size()) {
    // Benchmarks ask for more deltas than "pong" has bytes: repeat the word.
    out.push_back(text);
    for (int i = 1; i < pieces; ++i) out.push_back(" " + text);
    return out;
  }
  std::size_t n = std::min<std::size_t>(std::size_t(pieces), std::max<std::size_t>(1, text.size()));
  std::size_t start = 0;
  for (std::size_t i = 1; i <= n; ++i) {
    std::size_t end = i == n ? text.size() : text.size() * i / n;
    // Never split inside a UTF-8 sequence.
    while (end < text.size() && end > start && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
      ++end;
    if (end > start || text.empty()) out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

Plan make_plan(Context& ctx, Api api, const json& body, std::size_t body_bytes,
               const std::string& model, const std::optional<Fault>& fault,
               const std::optional<json>& json_schema) {
  Plan p;
  p.model = model;
  p.interval_us = ctx.opts.event_interval_us;
  p.usage.total_input = count_input_tokens(body_bytes);
  int events = ctx.opts.events;
  if (fault) {
    if (fault->mode == "cut") p.cut_after = fault->after_events;
    if (fault->mode == "pause") p.pause_ms = fault->pause_ms;
    if (fault->mode == "instream_error") p.instream_error = true;
    if (fault->mode == "usage") {
      p.usage.cache_read = std::min(fault->cache_read, p.usage.total_input);
      p.usage.cache_write = std::min(fault->cache_write, p.usage.total_input - p.usage.cache_read);
      p.usage.reasoning = fault->reasoning;
    }
    if (fault->mode == "tool_call") {
      p.tool_call = true;
      p.tool_name = fault->tool;
      p.tool_input = fault->input;
      p.tool_id = ctx.new_id(api == Api::anthropic ? "toolu_fake_" : "call_fake_");
    }
  }
  if (p.tool_call) {
    p.text = p.tool_input.dump();
    p.deltas = split_text(p.text, events, false);
  } else if (fault && fault->mode == "text") {
    p.text = fault->text;
    p.deltas = split_text(p.text, events, false);
  } else if (json_schema) {
    p.text = sample_from_schema(*json_schema).dump();
    p.deltas = split_text(p.text, events, false);
  } else {
    p.deltas = split_text("pong", events, true);
    for (const std::string& d : p.deltas) p.text += d;
  }
  p.usage.output = long(p.deltas.size()) + p.usage.reasoning;
  (void)body;
  return p;
}

void error_reply(httplib::Response& res, Api api, int status, const std::string& message,
                 int retry_after, const std::string& request_id) {
  res.status = status;
  if (retry_after >= 0) res.set_header("retry-after", std::to_string(retry_after));
  json body;
  if (api == Api::anthropic) {
    body = {{"type", "error"},
            {"error", {{"type", anthropic_error_type(status)}, {"message", message}}},
            {"request_id", request_id}};
    res.set_header("request-id", request_id);
  } else if (api == Api::openai) {
    std::string type;
    json code;
    openai_error_kind(status, type, code);
    body = {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
    res.set_header("x-request-id", request_id);
  } else {
    body = {{"error", {{"code", status}, {"message", message}, {"status", google_status(status)}}}};
    if (retry_after >= 0)
      body["error"]["details"] = json::array(
          {{{"@type", "type.googleapis.com/google.rpc.RetryInfo"},
            {"retryDelay", std::to_string(retry_after) + "s"}}});
  }
  res.set_content(body.dump(), "application/json");
}

void stream_events(httplib::Response& res, std::vector<std::string> events,
                   std::vector<bool> is_delta, const Plan& plan) {
  struct State {
    std::vector<std::string> events;
    std::vector<bool> is_delta;
    std::size_t next = 0;
    int cut_after, pause_ms;
    long interval_us;
    bool seen_delta = false;
  };
  auto st = std::make_shared<State>(
      State{std::move(events), std::move(is_delta), 0, plan.cut_after, plan.pause_ms, plan.interval_us});
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream; charset=utf-8", [st](std::size_t, httplib::DataSink& sink) {
        std::size_t i = st->next;
        if (st->cut_after >= 0 && i >= std::size_t(st->cut_after)) return false;  // abrupt close
        if (i >= st->events.size()) {
          sink.done();
          return true;
        }
        if (i == 1 && st->pause_ms > 0)
          std::this_thread::sleep_for(std::chrono::milliseconds(st->pause_ms));
        if (i < st->is_delta.size() && st->is_delta[i]) {
          if (st->interval_us > 0 && st->seen_delta)
            std::this_thread::sleep_for(std::chrono::microseconds(st->interval_us));
          st->seen_delta = true;
        }
        st->next = i + 1;
        return sink.write(st->events[i].data(), st->events[i].size());
      });
}

}  // namespace gw::fake
