// OTLP/HTTP JSON encoding of audit records (protobuf JSON mapping as the OTLP spec prescribes:
// lowerCamelCase keys, 64-bit integers as decimal strings, enums as numbers).
#include "core/siem/format.hpp"

namespace gw::siem {
using nlohmann::json;

namespace {

// Built member by member: nlohmann's nested initializer lists copy every level (measured 2x).
json kv(const std::string& key, const char* type, json value) {
  json v(json::value_t::object);
  v[type] = std::move(value);
  json a(json::value_t::object);
  a["key"] = key;
  a["value"] = std::move(v);
  return a;
}
json str_attr(const std::string& key, const std::string& v) { return kv(key, "stringValue", v); }
json int_attr(const std::string& key, int64_t v) { return kv(key, "intValue", std::to_string(v)); }
json bool_attr(const std::string& key, bool v) { return kv(key, "boolValue", v); }

// gen_ai.provider.name well-known values for the providers gw speaks to.
std::string genai_provider(const std::string& provider) {
  if (provider == "gemini") return "gcp.gemini";
  return provider;  // "anthropic", "openai"
}

// gen_ai.operation.name from the endpoint ("POST /v1/messages"); "" when not a generation call.
std::string genai_operation(const std::string& endpoint) {
  if (endpoint.find(":generateContent") != std::string::npos ||
      endpoint.find(":streamGenerateContent") != std::string::npos)
    return "generate_content";
  if (endpoint.ends_with("/v1/messages") || endpoint.ends_with("/chat/completions") ||
      endpoint.ends_with("/responses"))
    return "chat";
  return "";
}

// OTLP SeverityNumber: INFO 9, INFO2 10, WARN 13, ERROR 17.
std::pair<int, const char*> severity(const json& r) {
  switch (syslog_severity(r)) {
    case 3: return {17, "ERROR"};
    case 4: return {13, "WARN"};
    case 5: return {10, "INFO2"};
    default: return {9, "INFO"};
  }
}

json log_record(const FeedEvent& ev, int64_t observed_ns) {
  json r = parse_record(ev);
  auto s = [&](const char* key) { return r.value(key, std::string()); };
  auto n = [&](const char* key) { return r.value(key, int64_t{0}); };
  json attrs = json::array();
  auto add_str = [&](const std::string& key, const std::string& v) {
    if (!v.empty()) attrs.push_back(str_attr(key, v));
  };
  std::string provider = s("provider");
  add_str("gen_ai.provider.name", genai_provider(provider));
  add_str("gen_ai.system", genai_provider(provider));  // the pre-1.37 name, still widely queried
  std::string endpoint = s("endpoint");
  add_str("gen_ai.operation.name", genai_operation(endpoint));
  add_str("gen_ai.request.model", s("model"));
  add_str("gen_ai.conversation.id", s("agent_session_id"));
  if (auto u = r.find("usage"); u != r.end() && u->is_object()) {
    attrs.push_back(int_attr("gen_ai.usage.input_tokens", u->value("input", int64_t{0})));
    attrs.push_back(int_attr("gen_ai.usage.output_tokens", u->value("output", int64_t{0})));
    attrs.push_back(int_attr("gw.usage.cache_read_tokens", u->value("cache_read", int64_t{0})));
    attrs.push_back(int_attr("gw.usage.cache_write_tokens", u->value("cache_write", int64_t{0})));
    attrs.push_back(int_attr("gw.usage.reasoning_tokens", u->value("reasoning", int64_t{0})));
  }
  add_str("user.name", s("user"));
  if (auto sp = endpoint.find(' '); sp != std::string::npos) {
    add_str("http.request.method", endpoint.substr(0, sp));
    add_str("url.path", endpoint.substr(sp + 1));
  }
  if (r.contains("http_status")) attrs.push_back(int_attr("http.response.status_code", n("http_status")));
  add_str("gw.record", s("record"));
  add_str("gw.event.id", s("id"));
  add_str("gw.event.kind", s("kind"));
  attrs.push_back(int_attr("gw.position", static_cast<int64_t>(ev.position)));
  if (r.contains("seq")) attrs.push_back(int_attr("gw.seq", n("seq")));
  add_str("gw.device.id", s("device_id"));
  add_str("gw.team", s("team"));
  add_str("gw.agent", s("agent"));
  add_str("gw.virtual_key_id", s("virtual_key_id"));
  add_str("gw.request_id", s("request_id"));
  add_str("gw.decision", s("decision"));
  add_str("gw.reason", s("reason"));
  add_str("gw.policy_version", s("policy_version"));
  if (r.contains("cost_nano_usd")) attrs.push_back(int_attr("gw.cost_nano_usd", n("cost_nano_usd")));
  if (r.value("streamed", false)) attrs.push_back(bool_attr("gw.streamed", true));
  if (r.contains("bytes_in")) attrs.push_back(int_attr("gw.bytes_in", n("bytes_in")));
  if (r.contains("bytes_out")) attrs.push_back(int_attr("gw.bytes_out", n("bytes_out")));
  if (auto l = r.find("latency_us"); l != r.end() && l->is_object()) {
    attrs.push_back(int_attr("gw.latency.total_us", l->value("total", int64_t{0})));
    attrs.push_back(int_attr("gw.latency.ttfb_us", l->value("ttfb", int64_t{0})));
    attrs.push_back(int_attr("gw.latency.upstream_us", l->value("upstream", int64_t{0})));
  }
  if (auto f = r.find("findings"); f != r.end() && f->is_array() && !f->empty()) {
    json rules = json::array();
    for (const auto& item : *f)
      if (item.is_object()) rules.push_back({{"stringValue", item.value("rule_id", "")}});
    attrs.push_back({{"key", "gw.findings.rule_ids"}, {"value", {{"arrayValue", {{"values", rules}}}}}});
  }
  auto [sev_num, sev_text] = severity(r);
  int64_t t_ms = n("time_ms");
  json rec = {
      {"observedTimeUnixNano", std::to_string(observed_ns)},
      {"severityNumber", sev_num},
      {"severityText", sev_text},
      {"eventName", "gw.audit." + (s("kind").empty() ? s("record") : s("kind"))},
      // The stored record is already compact JSON text; a record that did not parse is sent as
      // its marker object instead.
      {"body", {{"stringValue", r.value("record", "") == "unparseable" ? r.dump() : ev.json}}},
      {"attributes", std::move(attrs)},
  };
  if (t_ms > 0) rec["timeUnixNano"] = std::to_string(t_ms * 1'000'000);
  return rec;
}

}  // namespace

json otlp_logs_request(const std::vector<FeedEvent>& batch, const std::string& gw_version) {
  int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  json records = json::array();
  for (const auto& ev : batch) records.push_back(log_record(ev, now_ns));
  return {{"resourceLogs",
           json::array({{{"resource",
                          {{"attributes", json::array({str_attr("service.name", "gw"),
                                                       str_attr("service.version", gw_version)})}}},
                         {"scopeLogs", json::array({{{"scope", {{"name", "gw.audit"}, {"version", gw_version}}},
                                                     {"logRecords", std::move(records)}}})}}})}};
}

}  // namespace gw::siem
