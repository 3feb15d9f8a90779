#include <cstdlib>
#include <set>

#include "core/config/policy_reader.hpp"
#include "core/config/toml_doc.hpp"
#include "core/siem/config.hpp"
#include "core/siem/config_toml.hpp"

namespace gw::siem {
using config::detail::Diagnostics;
using config::detail::ObjectReader;
using config::detail::path_index;
using nlohmann::json;

std::string_view to_string(SinkType type) {
  switch (type) {
    case SinkType::file: return "file";
    case SinkType::syslog: return "syslog";
    case SinkType::splunk_hec: return "splunk_hec";
    case SinkType::otlp: return "otlp";
  }
  return "?";
}

namespace {

constexpr std::pair<const char*, int> k_facilities[] = {
    {"kern", 0},    {"user", 1},    {"mail", 2},    {"daemon", 3},  {"auth", 4},
    {"syslog", 5},  {"lpr", 6},     {"news", 7},    {"uucp", 8},    {"cron", 9},
    {"authpriv", 10}, {"ftp", 11},  {"local0", 16}, {"local1", 17}, {"local2", 18},
    {"local3", 19}, {"local4", 20}, {"local5", 21}, {"local6", 22}, {"local7", 23}};

// "tcp://host:port" / "udp://host:port" / "udp://[::1]:514".
bool parse_syslog_destination(const std::string& d, SinkConfig& s, std::string& why) {
  auto sep = d.find("://");
  std::string scheme = sep == std::string::npos ? "" : d.substr(0, sep);
  if (scheme == "tcp") s.transport = SyslogTransport::tcp;
  else if (scheme == "udp") s.transport = SyslogTransport::udp;
  else { why = "must be tcp://HOST:PORT or udp://HOST:PORT"; return false; }
  std::string rest = d.substr(sep + 3);
  std::string host, port;
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      why = "must be tcp://HOST:PORT or udp://HOST:PORT"; return false;
    }
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string::npos) { why = "needs a port, e.g. " + scheme + "://siem.example:514"; return false; }
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
      port.size() > 5 || std::stoi(port) < 1 || std::stoi(port) > 65535) {
    why = "must be tcp://HOST:PORT or udp://HOST:PORT with a port 1-65535";
    return false;
  }
  s.host = host;
  s.port = std::stoi(port);
  return true;
}

void decode_sink(const json& entry, const std::string& path, Diagnostics& diag, SinkConfig& s) {
  ObjectReader r(entry, path, diag);
  if (!r.valid()) return;
  auto type = r.string("type", true);
  if (type) {
    if (*type == "file") s.type = SinkType::file;
    else if (*type == "syslog") s.type = SinkType::syslog;
    else if (*type == "splunk_hec") s.type = SinkType::splunk_hec;
    else if (*type == "otlp") s.type = SinkType::otlp;
    else diag.error(r.child("type"), "unknown sink type '" + *type + "' (use file, syslog, splunk_hec or otlp)");
  }
  s.name = r.string("name").value_or(std::string(to_string(s.type)));
  if (s.name.empty() || s.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != std::string::npos || s.name[0] == '.')
    diag.error(r.child("name"), "must be letters, digits, '_', '-' or '.' (it names the sink's cursor file)");
  s.destination = r.string("destination", true).value_or("");
  if (auto f = r.string("format")) {
    auto fmt = audit::parse_export_format(*f);
    if (!fmt) diag.error(r.child("format"), "unknown format '" + *f + "' (use jsonl, ocsf or ecs)");
    else if (s.type == SinkType::otlp) diag.error(r.child("format"), "does not apply to otlp sinks (OTLP has its own log record shape)");
    else s.format = *fmt;
  }
  if (auto v = r.integer("batch_max", 1)) s.batch_max = static_cast<size_t>(*v);
  if (auto v = r.integer("retry_initial_ms", 1)) s.retry_initial_ms = static_cast<int>(std::min<int64_t>(*v, 3'600'000));
  if (auto v = r.integer("retry_max_ms", 1)) s.retry_max_ms = static_cast<int>(std::min<int64_t>(*v, 3'600'000));
  if (s.retry_max_ms < s.retry_initial_ms)
    diag.error(r.child("retry_max_ms"), "must be >= retry_initial_ms (" + std::to_string(s.retry_initial_ms) + ")");

  // Options that belong to one sink type are errors elsewhere, so a misplaced key is not ignored.
  auto only_for = [&](std::initializer_list<SinkType> types, const char* key) {
    if (!r.has(key)) return false;
    for (SinkType t : types) if (t == s.type) return true;
    diag.error(r.child(key), "does not apply to " + std::string(to_string(s.type)) + " sinks");
    r.raw(key);
    return false;
  };
  if (only_for({SinkType::file}, "rotate_bytes")) if (auto v = r.integer("rotate_bytes", 0)) s.rotate_bytes = *v;
  if (only_for({SinkType::file}, "rotate_daily")) if (auto v = r.boolean("rotate_daily")) s.rotate_daily = *v;
  if (only_for({SinkType::file}, "keep")) if (auto v = r.integer("keep", 0)) s.keep = static_cast<int>(std::min<int64_t>(*v, 100000));
  if (only_for({SinkType::file}, "fsync")) if (auto v = r.boolean("fsync")) s.fsync = *v;
  if (only_for({SinkType::syslog}, "facility")) {
    const json* v = r.raw("facility");
    bool ok = false;
    if (v->is_number_integer() && v->get<int64_t>() >= 0 && v->get<int64_t>() <= 23) {
      s.facility = v->get<int>();
      ok = true;
    } else if (v->is_string()) {
      for (auto [n, code] : k_facilities) if (v->get<std::string>() == n) { s.facility = code; ok = true; }
    }
    if (!ok) diag.error(r.child("facility"), "must be a facility name (local0..local7, auth, daemon, user, ...) or a number 0-23");
  }
  if (only_for({SinkType::syslog}, "app_name")) {
    s.app_name = r.string("app_name").value_or(s.app_name);
    if (s.app_name.empty() || s.app_name.size() > 48 || s.app_name.find_first_of(" \t\r\n") != std::string::npos)
      diag.error(r.child("app_name"), "must be 1-48 printable characters without spaces (RFC 5424 APP-NAME)");
  }
  if (only_for({SinkType::syslog}, "hostname")) {
    s.hostname = r.string("hostname").value_or("");
    if (s.hostname.size() > 255 || s.hostname.find_first_of(" \t\r\n") != std::string::npos)
      diag.error(r.child("hostname"), "must be at most 255 printable characters without spaces (RFC 5424 HOSTNAME)");
  }
  if (only_for({SinkType::syslog}, "max_message_bytes"))
    if (auto v = r.integer("max_message_bytes", 480)) s.max_message_bytes = static_cast<size_t>(std::min<int64_t>(*v, 1 << 20));
  const std::initializer_list<SinkType> http = {SinkType::splunk_hec, SinkType::otlp};
  if (only_for({SinkType::splunk_hec}, "token_env")) s.token_env = r.string("token_env").value_or("");
  if (only_for({SinkType::splunk_hec}, "token_file")) s.token_file = r.string("token_file").value_or("");
  if (only_for(http, "ca_file")) s.ca_file = r.string("ca_file").value_or("");
  if (only_for(http, "tls_verify")) s.tls_verify = r.boolean("tls_verify").value_or(true);
  if (only_for(http, "timeout_ms")) if (auto v = r.integer("timeout_ms", 100)) s.timeout_ms = static_cast<int>(std::min<int64_t>(*v, 600'000));
  if (only_for({SinkType::splunk_hec}, "index")) s.index = r.string("index").value_or("");
  if (only_for({SinkType::splunk_hec}, "source")) s.source = r.string("source").value_or(s.source);
  if (only_for({SinkType::splunk_hec}, "sourcetype")) s.sourcetype = r.string("sourcetype").value_or(s.sourcetype);
  if (only_for({SinkType::otlp}, "headers_env")) {
    if (const json* t = r.table("headers_env")) {
      for (auto& [k, v] : t->items()) {
        if (!v.is_string() || v.get<std::string>().empty())
          diag.error(config::detail::path_key(r.child("headers_env"), k), "must name an environment variable holding the header value");
        else
          s.headers_env.emplace_back(k, v.get<std::string>());
      }
    }
  }
  r.finish();

  if (!s.destination.empty()) {
    std::string why;
    if (s.type == SinkType::syslog && !parse_syslog_destination(s.destination, s, why))
      diag.error(r.child("destination"), why);
    if ((s.type == SinkType::splunk_hec || s.type == SinkType::otlp) &&
        s.destination.rfind("http://", 0) != 0 && s.destination.rfind("https://", 0) != 0)
      diag.error(r.child("destination"), "must be an http:// or https:// URL");
  }
  if (s.type == SinkType::splunk_hec && s.token_env.empty() == s.token_file.empty())
    diag.error(path, "a splunk_hec sink needs exactly one of token_env or token_file (the HEC token is never written in the config)");
}

}  // namespace

void decode_siem(const json* value, const std::string& path, Diagnostics& diag, SiemConfig& out) {
  if (!value) return;
  if (!value->is_array()) {
    diag.error(path, "must be an array of tables ([[siem]]), not " + config::detail::type_phrase(*value));
    return;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < value->size(); ++i) {
    SinkConfig s;
    std::string p = path_index(path, i);
    decode_sink((*value)[i], p, diag, s);
    if (!names.insert(s.name).second)
      diag.error(p, "a second sink named '" + s.name + "': give each sink a distinct name (it keys the sink's cursor)");
    out.sinks.push_back(std::move(s));
  }
}

Result<SiemConfig> decode_siem(const toml::table& root, std::string_view file) {
  auto doc = config::detail::toml_table_to_doc(root, file);
  Diagnostics diag(doc);
  SiemConfig out;
  auto it = doc.root.find("siem");
  decode_siem(it == doc.root.end() ? nullptr : &*it, "siem", diag, out);
  if (!diag.ok()) return fail(Errc::config, diag.text());
  return out;
}

}  // namespace gw::siem
