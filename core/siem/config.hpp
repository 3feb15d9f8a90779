#pragma once
// The [[siem]] array of the central gateway's server config: one entry per export sink. Plain
// data, validated once by decode_siem(); secrets (HEC tokens, OTLP auth headers) are named by
// environment variable or file, never written in the config, and resolved when the sink starts.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/audit/export.hpp"
#include "core/common/result.hpp"

namespace gw::config::detail {
class Diagnostics;
}

namespace gw::siem {

enum class SinkType { file, syslog, splunk_hec, otlp };
std::string_view to_string(SinkType type);

enum class SyslogTransport { tcp, udp };

struct SinkConfig {
  std::string name;         // unique; names the cursor file (default: the type)
  SinkType type = SinkType::file;
  std::string destination;  // file: path; syslog: tcp://host:port | udp://host:port; http: URL
  audit::ExportFormat format = audit::ExportFormat::jsonl;  // file, syslog, splunk_hec
  size_t batch_max = 500;   // events per delivery
  int retry_initial_ms = 500;
  int retry_max_ms = 30'000;

  // file
  int64_t rotate_bytes = 100ll << 20;  // 0: never by size
  bool rotate_daily = false;            // at the first write of a new UTC day
  int keep = 10;                        // rotated files kept (the active file not counted)
  bool fsync = true;                    // fdatasync before the cursor advances

  // syslog
  SyslogTransport transport = SyslogTransport::tcp;
  std::string host;  // parsed from destination (syslog)
  int port = 0;
  int facility = 16;  // local0
  std::string app_name = "gw";
  std::string hostname;  // HOSTNAME field; empty: this machine's name
  size_t max_message_bytes = 0;  // 0: 2048 for UDP, 65536 for TCP

  // splunk_hec and otlp
  std::string token_env;   // HEC token from this environment variable...
  std::string token_file;  // ...or from this file (first line)
  std::string ca_file;     // extra trusted CA bundle (PEM)
  bool tls_verify = true;
  int timeout_ms = 30'000;
  std::string index, source = "gw", sourcetype = "gw:audit";  // HEC event metadata
  std::vector<std::pair<std::string, std::string>> headers_env;  // OTLP: header name -> env var
};

struct SiemConfig {
  std::vector<SinkConfig> sinks;
};

// Decodes the value of the `siem` key (an array of tables; `value` may be null when absent) at
// display path `path` into out, reporting every problem through diag (FILE:L:C: siem[1].type: ...).
// For decoders built on the policy loader's SourceDoc/Diagnostics.
void decode_siem(const nlohmann::json* value, const std::string& path,
                 config::detail::Diagnostics& diag, SiemConfig& out);

}  // namespace gw::siem
