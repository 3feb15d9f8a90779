#include "core/siem/format.hpp"

#include <unistd.h>

#include "core/audit/export.hpp"

namespace gw::siem {
using nlohmann::json;

json parse_record(const FeedEvent& ev) {
  json j = json::parse(ev.json, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return json{{"record", "unparseable"}, {"position", ev.position}};
  return j;
}

int syslog_severity(const json& r) {
  std::string kind = r.value("kind", "");
  if (kind == "gap" || r.value("record", "") == "unparseable") return 3;
  if (kind == "alarm") return 4;
  if (kind == "denied" || r.value("decision", "") == "denied") return 5;
  return 6;
}

namespace {

// PRINTUSASCII without the characters RFC 5424 forbids in a header field; NILVALUE when empty.
std::string header_field(const std::string& s, size_t max) {
  std::string out;
  for (char c : s)
    if (c > 32 && c < 127 && out.size() < max) out.push_back(c);
  return out.empty() ? "-" : out;
}

// SD-PARAM value: '"', '\' and ']' escaped; capped so one long field cannot crowd out the rest.
std::string sd_value(const std::string& v) {
  std::string out;
  for (char c : v.substr(0, 256)) {
    if (c == '"' || c == '\\' || c == ']') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string to_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::string structured_data(const json& r, uint64_t position, bool truncated) {
  // 32473 is the private enterprise number RFC 5612 reserves for documentation and examples;
  // operators who own a PEN can map gw@32473 in their parser.
  std::string sd = "[gw@32473 position=\"" + std::to_string(position) + "\"";
  for (const char* key : {"seq", "id", "kind", "device_id", "user", "team", "agent", "provider",
                          "model", "http_status", "decision", "request_id", "virtual_key_id",
                          "cost_nano_usd"}) {
    auto it = r.find(key);
    if (it == r.end()) continue;
    sd += std::string(" ") + key + "=\"" + sd_value(to_text(*it)) + "\"";
  }
  if (auto u = r.find("usage"); u != r.end() && u->is_object()) {
    sd += " input_tokens=\"" + std::to_string(u->value("input", int64_t{0})) + "\"";
    sd += " output_tokens=\"" + std::to_string(u->value("output", int64_t{0})) + "\"";
  }
  if (auto f = r.find("findings"); f != r.end() && f->is_array() && !f->empty())
    sd += " findings=\"" + std::to_string(f->size()) + "\"";
  if (truncated) sd += " truncated=\"true\"";
  return sd + "]";
}

// Longest prefix of s of at most n bytes that does not split a UTF-8 sequence.
std::string utf8_prefix(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

std::string syslog_message(const json& r, uint64_t position, const std::string& msg,
                           const SyslogHeader& h, size_t max_bytes) {
  int pri = h.facility * 8 + syslog_severity(r);
  int64_t t = r.value("time_ms", int64_t{0});
  std::string ts = t > 0 ? audit::rfc3339_ms(t) : "-";
  std::string msgid = r.value("record", "") == "event" ? r.value("kind", "") : r.value("record", "");
  std::string head = "<" + std::to_string(pri) + ">1 " + ts + " " + header_field(h.hostname, 255) +
                     " " + header_field(h.app_name, 48) + " " + header_field(h.procid, 128) + " " +
                     header_field(msgid, 32) + " ";
  std::string full = head + structured_data(r, position, false) + " " + msg;
  if (full.size() <= max_bytes) return full;
  std::string cut_head = head + structured_data(r, position, true);
  if (cut_head.size() + 1 >= max_bytes) return utf8_prefix(cut_head, max_bytes);
  return cut_head + " " + utf8_prefix(msg, max_bytes - cut_head.size() - 1);
}

std::string hec_body(const std::vector<FeedEvent>& batch, const SinkConfig& cfg) {
  std::string body;
  for (const auto& ev : batch) {
    json r = parse_record(ev);
    auto formatted = audit::export_record(r, cfg.format);
    if (!formatted) continue;
    json e = {{"source", cfg.source}, {"sourcetype", cfg.sourcetype}, {"event", std::move(*formatted)}};
    if (int64_t t = r.value("time_ms", int64_t{0}); t > 0) e["time"] = static_cast<double>(t) / 1000.0;
    if (std::string dev = r.value("device_id", ""); !dev.empty()) e["host"] = dev;
    if (!cfg.index.empty()) e["index"] = cfg.index;
    body += e.dump(-1, ' ', false, json::error_handler_t::replace);
    body += '\n';
  }
  return body;
}

}  // namespace gw::siem
