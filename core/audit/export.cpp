#include "core/audit/export.hpp"

#include <ctime>

namespace gw::audit {
using nlohmann::json;

Result<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "jsonl") return ExportFormat::jsonl;
  if (name == "ocsf") return ExportFormat::ocsf;
  if (name == "ecs") return ExportFormat::ecs;
  return fail(Errc::invalid_argument,
              "unknown export format '" + std::string(name) + "' (use jsonl, ocsf or ecs)");
}

std::string rfc3339_ms(int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(unix_ms % 1000));
  return buf;
}

Result<int64_t> parse_since(std::string_view text, int64_t now_ms) {
  auto bad = [&] {
    return fail(Errc::invalid_argument,
                "--since '" + std::string(text) +
                    "': use Unix milliseconds, an RFC 3339 UTC time like 2025-01-31T12:00:00Z, "
                    "or an age like 15m, 2h, 7d");
  };
  if (text.empty()) return bad();
  bool digits = text.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits) return static_cast<int64_t>(std::stoll(std::string(text)));
  char unit = text.back();
  std::string_view num = text.substr(0, text.size() - 1);
  if (!num.empty() && num.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t n = std::stoll(std::string(num));
    int64_t mult = unit == 's' ? 1000 : unit == 'm' ? 60'000 : unit == 'h' ? 3'600'000
                 : unit == 'd' ? 86'400'000 : 0;
    if (mult == 0) return bad();
    return now_ms - n * mult;
  }
  std::tm tm{};
  std::string s(text);
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end || (*end != 'Z' && *end != '\0')) return bad();
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

namespace {
std::string str(const json& r, const char* key) { return r.value(key, std::string()); }
int64_t num(const json& r, const char* key) { return r.value(key, int64_t{0}); }

bool failed(const json& r) {
  std::string kind = str(r, "kind");
  return kind == "denied" || kind == "gap" || str(r, "decision") == "denied" ||
         num(r, "http_status") >= 400;
}

json ocsf(const json& r) {
  std::string kind = str(r, "kind");
  int severity = kind == "alarm" || kind == "gap" ? 4 : kind == "denied" ? 3 : 1;
  json o = {
      {"class_uid", 6003},
      {"class_name", "API Activity"},
      {"category_uid", 6},
      {"category_name", "Application Activity"},
      {"activity_id", 99},
      {"activity_name", kind},
      {"type_uid", 600399},
      {"time", num(r, "time_ms")},
      {"severity_id", severity},
      {"status_id", failed(r) ? 2 : 1},
      {"status", failed(r) ? "Failure" : "Success"},
      {"metadata",
       {{"version", "1.1.0"},
        {"uid", str(r, "id")},
        {"sequence", num(r, "seq")},
        {"log_name", "gw-audit"},
        {"product", {{"name", "gw"}, {"vendor_name", "gw"}, {"version", str(r, "gw_version")}}}}},
      {"actor",
       {{"user", {{"name", str(r, "user")}}},
        {"session", {{"uid", str(r, "agent_session_id")}}},
        {"app_name", str(r, "agent")}}},
      {"api",
       {{"operation", str(r, "endpoint")},
        {"service", {{"name", str(r, "provider")}}},
        {"request", {{"uid", str(r, "request_id")}}}}},
      {"device", {{"uid", str(r, "device_id")}}},
  };
  if (r.contains("team")) o["actor"]["user"]["groups"] = json::array({{{"name", str(r, "team")}}});
  if (r.contains("http_status")) o["status_code"] = std::to_string(num(r, "http_status"));
  if (r.contains("reason")) o["status_detail"] = str(r, "reason");
  json unmapped = json::object();
  for (const char* key : {"model", "decision", "virtual_key_id", "streamed", "findings", "usage",
                          "cost_nano_usd", "latency_us", "bytes_in", "bytes_out", "policy_version",
                          "prev"})
    if (r.contains(key)) unmapped[key] = r[key];
  o["unmapped"] = std::move(unmapped);
  return o;
}

json ecs(const json& r) {
  json e = {
      {"@timestamp", rfc3339_ms(num(r, "time_ms"))},
      {"ecs", {{"version", "8.11.0"}}},
      {"event",
       {{"id", str(r, "id")},
        {"kind", str(r, "kind") == "alarm" || str(r, "kind") == "gap" ? "alert" : "event"},
        {"category", json::array({"web"})},
        {"action", str(r, "kind")},
        {"outcome", failed(r) ? "failure" : "success"},
        {"sequence", num(r, "seq")},
        {"dataset", "gw.audit"}}},
      {"user", {{"name", str(r, "user")}}},
      {"host", {{"id", str(r, "device_id")}}},
      {"service", {{"name", "gw"}, {"version", str(r, "gw_version")}}},
      {"gen_ai", {{"system", str(r, "provider")}, {"request", {{"model", str(r, "model")}}}}},
      {"labels",
       {{"team", str(r, "team")},
        {"agent", str(r, "agent")},
        {"agent_session_id", str(r, "agent_session_id")},
        {"virtual_key_id", str(r, "virtual_key_id")},
        {"request_id", str(r, "request_id")},
        {"policy_version", str(r, "policy_version")}}},
  };
  if (r.contains("reason")) e["event"]["reason"] = str(r, "reason");
  if (auto lat = r.find("latency_us"); lat != r.end()) e["event"]["duration"] = lat->value("total", int64_t{0}) * 1000;
  if (r.contains("http_status")) e["http"]["response"]["status_code"] = num(r, "http_status");
  if (r.contains("endpoint")) e["url"]["path"] = str(r, "endpoint");
  if (auto u = r.find("usage"); u != r.end()) {
    e["gen_ai"]["usage"] = {{"input_tokens", u->value("input", int64_t{0})},
                            {"output_tokens", u->value("output", int64_t{0})}};
  }
  json gw = json::object();
  for (const char* key : {"decision", "findings", "usage", "cost_nano_usd", "streamed", "bytes_in", "bytes_out"})
    if (r.contains(key)) gw[key] = r[key];
  e["gw"] = std::move(gw);
  return e;
}
// Empty strings, objects and arrays carry nothing for a SIEM; drop them so fields stay meaningful.
void drop_empty(json& j) {
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end();) {
    drop_empty(it.value());
    bool empty = (it->is_string() && it->get_ref<const std::string&>().empty()) ||
                 ((it->is_object() || it->is_array()) && it->empty());
    it = empty ? j.erase(it) : std::next(it);
  }
}
}  // namespace

std::optional<json> export_record(const json& record, ExportFormat format) {
  if (format == ExportFormat::jsonl) return record;
  if (record.value("record", "") != "event") return std::nullopt;
  json out = format == ExportFormat::ocsf ? ocsf(record) : ecs(record);
  drop_empty(out);
  return out;
}

}  // namespace gw::audit
