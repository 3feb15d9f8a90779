#include "core/audit/event.hpp"

#include <nlohmann/json.hpp>

namespace gw::audit {
using nlohmann::json;

namespace {
constexpr std::string_view k_kinds[] = {"admitted", "completed", "denied",
                                        "alarm",    "policy_change", "gap"};
constexpr std::string_view k_decisions[] = {"none", "allowed", "denied", "redacted"};

void put_str(json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}
void put_int(json& j, const char* key, int64_t v) {
  if (v != 0) j[key] = v;
}
std::string get_str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t get_int(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}
}  // namespace

std::string_view to_string(EventKind kind) { return k_kinds[static_cast<int>(kind)]; }
std::string_view to_string(Decision decision) { return k_decisions[static_cast<int>(decision)]; }

Result<EventKind> parse_event_kind(std::string_view text) {
  for (size_t i = 0; i < std::size(k_kinds); ++i)
    if (k_kinds[i] == text) return static_cast<EventKind>(i);
  return fail(Errc::invalid_argument, "unknown audit event kind '" + std::string(text) + "'");
}

Result<Decision> parse_decision(std::string_view text) {
  for (size_t i = 0; i < std::size(k_decisions); ++i)
    if (k_decisions[i] == text) return static_cast<Decision>(i);
  return fail(Errc::invalid_argument, "unknown audit decision '" + std::string(text) + "'");
}

json event_to_json(const AuditEvent& ev) {
  json j = json::object();
  j["v"] = k_schema_version;
  j["record"] = "event";
  j["seq"] = ev.seq;
  j["prev"] = ev.prev;
  j["id"] = ev.id;
  j["kind"] = to_string(ev.kind);
  j["time_ms"] = ev.time_ms;
  put_int(j, "request_started_ms", ev.request_started_ms);
  put_str(j, "request_id", ev.request_id);
  put_str(j, "device_id", ev.device_id);
  put_str(j, "user", ev.user);
  put_str(j, "virtual_key_id", ev.virtual_key_id);
  put_str(j, "team", ev.team);
  put_str(j, "agent", ev.agent);
  put_str(j, "agent_session_id", ev.agent_session_id);
  put_str(j, "provider", ev.provider);
  put_str(j, "model", ev.model);
  put_str(j, "endpoint", ev.endpoint);
  if (ev.streamed) j["streamed"] = true;
  put_int(j, "http_status", ev.http_status);
  if (ev.decision != Decision::none) j["decision"] = to_string(ev.decision);
  put_str(j, "reason", ev.reason);
  if (!ev.findings.empty()) {
    json arr = json::array();
    for (const auto& f : ev.findings)
      arr.push_back({{"rule_id", f.rule_id}, {"location", f.location}, {"fingerprint", f.fingerprint}});
    j["findings"] = std::move(arr);
  }
  if (ev.usage) {
    const auto& u = *ev.usage;
    j["usage"] = {{"input", u.input},           {"output", u.output},
                  {"cache_read", u.cache_read}, {"cache_write", u.cache_write},
                  {"reasoning", u.reasoning}};
  }
  if (ev.cost_nano_usd) j["cost_nano_usd"] = *ev.cost_nano_usd;
  if (ev.latency) {
    const auto& l = *ev.latency;
    j["latency_us"] = {{"total", l.total_us}, {"ttfb", l.ttfb_us}, {"upstream", l.upstream_us}};
  }
  put_int(j, "bytes_in", ev.bytes_in);
  put_int(j, "bytes_out", ev.bytes_out);
  put_str(j, "policy_version", ev.policy_version);
  put_str(j, "content", ev.content);
  if (ev.content_truncated) j["content_truncated"] = true;
  put_str(j, "gw_version", ev.gw_version);
  if (!ev.credential_stores.provider_key.empty() || !ev.credential_stores.device_key.empty()) {
    json stores = json::object();
    put_str(stores, "provider_key", ev.credential_stores.provider_key);
    put_str(stores, "device_key", ev.credential_stores.device_key);
    j["credential_stores"] = std::move(stores);
  }
  return j;
}

Result<AuditEvent> event_from_json(const json& j) {
  if (!j.is_object() || get_str(j, "record") != "event")
    return fail(Errc::invalid_argument, "not an audit event record");
  if (get_int(j, "v") < 1 || get_int(j, "v") > k_schema_version)
    return fail(Errc::invalid_argument,
                "unsupported audit schema version " + std::to_string(get_int(j, "v")));
  AuditEvent ev;
  ev.seq = static_cast<uint64_t>(get_int(j, "seq"));
  ev.prev = get_str(j, "prev");
  ev.id = get_str(j, "id");
  GW_TRY(kind, parse_event_kind(get_str(j, "kind")));
  ev.kind = kind;
  ev.time_ms = get_int(j, "time_ms");
  ev.request_started_ms = get_int(j, "request_started_ms");
  ev.request_id = get_str(j, "request_id");
  ev.device_id = get_str(j, "device_id");
  ev.user = get_str(j, "user");
  ev.virtual_key_id = get_str(j, "virtual_key_id");
  ev.team = get_str(j, "team");
  ev.agent = get_str(j, "agent");
  ev.agent_session_id = get_str(j, "agent_session_id");
  ev.provider = get_str(j, "provider");
  ev.model = get_str(j, "model");
  ev.endpoint = get_str(j, "endpoint");
  ev.streamed = j.value("streamed", false);
  ev.http_status = static_cast<int>(get_int(j, "http_status"));
  if (auto d = get_str(j, "decision"); !d.empty()) {
    GW_TRY(dec, parse_decision(d));
    ev.decision = dec;
  }
  ev.reason = get_str(j, "reason");
  if (auto it = j.find("findings"); it != j.end() && it->is_array()) {
    for (const auto& f : *it)
      ev.findings.push_back({get_str(f, "rule_id"), get_str(f, "location"), get_str(f, "fingerprint")});
  }
  if (auto it = j.find("usage"); it != j.end() && it->is_object()) {
    ev.usage = Usage{get_int(*it, "input"), get_int(*it, "output"), get_int(*it, "cache_read"),
                     get_int(*it, "cache_write"), get_int(*it, "reasoning")};
  }
  if (auto it = j.find("cost_nano_usd"); it != j.end() && it->is_number_integer())
    ev.cost_nano_usd = it->get<int64_t>();
  if (auto it = j.find("latency_us"); it != j.end() && it->is_object())
    ev.latency = Latency{get_int(*it, "total"), get_int(*it, "ttfb"), get_int(*it, "upstream")};
  ev.bytes_in = get_int(j, "bytes_in");
  ev.bytes_out = get_int(j, "bytes_out");
  ev.policy_version = get_str(j, "policy_version");
  ev.content = get_str(j, "content");
  if (auto it = j.find("content_truncated"); it != j.end() && it->is_boolean()) ev.content_truncated = it->get<bool>();
  ev.gw_version = get_str(j, "gw_version");
  if (auto it = j.find("credential_stores"); it != j.end() && it->is_object())
    ev.credential_stores = {get_str(*it, "provider_key"), get_str(*it, "device_key")};
  return ev;
}

}  // namespace gw::audit
