#pragma once
// Pure formatting of stored audit records for each SIEM wire format; no I/O. Each function takes
// the record as stored by the central gateway (the spool's JSON object) and never adds anything
// that is not in it: events carry fingerprints, never secret values, and so do the exports.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/siem/config.hpp"
#include "core/siem/feed.hpp"

namespace gw::siem {

// The record object of a feed event. A record that is not a JSON object (which the store should
// never hold) becomes {"record":"unparseable","position":N} so the gap is visible downstream.
nlohmann::json parse_record(const FeedEvent& ev);

// Syslog severity (RFC 5424 numeric, 3 err .. 6 info) of a record: gap 3, alarm 4, denied 5, else 6.
int syslog_severity(const nlohmann::json& record);

struct SyslogHeader {
  int facility = 16;
  std::string hostname;  // "" -> "-"
  std::string app_name = "gw";
  std::string procid;    // "" -> "-"
};

// One RFC 5424 message (without transport framing):
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [gw@32473 ...] MSG
// MSGID is the record kind; the structured data holds the key fields; MSG is `msg` (the formatted
// record as JSON). When the result would exceed max_bytes, MSG is cut at a UTF-8 boundary and the
// structured data says truncated="true".
std::string syslog_message(const nlohmann::json& record, uint64_t position, const std::string& msg,
                           const SyslogHeader& header, size_t max_bytes);

// Splunk HEC /services/collector/event body: one JSON object per event, newline separated, each
// {"time": seconds.millis, "host": device, "source", "sourcetype", ["index"], "event": formatted}.
// Records the format does not carry (checkpoints in ocsf/ecs) are skipped; returns "" if none.
std::string hec_body(const std::vector<FeedEvent>& batch, const SinkConfig& cfg);

// OTLP/HTTP JSON ExportLogsServiceRequest for /v1/logs: one resourceLogs (service.name "gw"),
// one scopeLogs (scope "gw.audit"), one logRecord per event with GenAI semantic-convention
// attributes (gen_ai.provider.name, gen_ai.request.model, gen_ai.usage.*) and gw.* attributes.
nlohmann::json otlp_logs_request(const std::vector<FeedEvent>& batch, const std::string& gw_version);

}  // namespace gw::siem
