// HTTP sinks: Splunk HEC (POST /services/collector/event, "Authorization: Splunk <token>") and
// OpenTelemetry OTLP/HTTP JSON (POST /v1/logs). Both send one request per batch through the
// shared upstream client (TLS with an optional CA file, keep-alive). Status handling:
//   2xx: delivered.  408, 429, 5xx, network errors: retryable (exponential backoff, Retry-After
//   honoured).  Other 4xx (bad token, rejected data): not retryable soon; the runner waits its
//   longest backoff and tries again, so fixing the token or collector resumes without loss.
#include <cstdlib>
#include <fstream>

#include "core/common/log.hpp"
#include "core/http/upstream.hpp"
#include "core/siem/format.hpp"
#include "core/siem/sinks.hpp"

#ifndef GW_VERSION
#define GW_VERSION "0.0.0"
#endif

namespace gw::siem {

namespace {

struct Target {
  http::Origin origin;
  std::string path;
};

Result<Target> parse_target(const SinkConfig& cfg, std::string_view default_path) {
  auto origin = http::parse_origin(cfg.destination);
  if (!origin)
    return fail(Errc::config, "siem sink '" + cfg.name + "': destination: " + origin.error().message);
  Target t{*origin, origin->base_path.empty() ? std::string(default_path) : origin->base_path};
  t.origin.base_path.clear();
  return t;
}

http::UpstreamOptions pool_options(const SinkConfig& cfg) {
  http::UpstreamOptions o;
  o.connect_timeout_ms = std::min(cfg.timeout_ms, 10'000);
  o.read_timeout_ms = cfg.timeout_ms;
  o.write_timeout_ms = cfg.timeout_ms;
  o.max_idle_per_origin = 2;
  o.ca_file = cfg.ca_file;
  o.verify_tls = cfg.tls_verify;
  return o;
}

class HttpSink : public Sink {
public:
  HttpSink(SinkConfig cfg, Target target, http::Headers headers)
      : m_cfg(std::move(cfg)), m_target(std::move(target)), m_headers(std::move(headers)),
        m_pool(pool_options(m_cfg)) {}

protected:
  // POSTs body; maps the outcome to a Delivery. On 2xx, `reply` receives the response body.
  Delivery post(std::string body, std::string* reply = nullptr) {
    http::Request req;
    req.method = "POST";
    req.path = m_target.path;
    req.headers = m_headers;
    req.headers.set("Content-Type", "application/json");
    req.body = std::move(body);
    std::string where = m_target.origin.display() + m_target.path;
    auto resp = m_pool.send(m_target.origin, req);
    if (!resp) return delivery_failed("cannot reach " + where + ": " + resp.error().message);
    std::string text, chunk;
    while (true) {
      auto n = (*resp)->read_body(chunk);
      if (!n) return delivery_failed("reply from " + where + " cut off: " + n.error().message);
      if (*n == 0) break;
      if (text.size() < 4096) text += chunk.substr(0, 4096 - text.size());
    }
    int status = (*resp)->status;
    if (status >= 200 && status < 300) {
      if (reply) *reply = std::move(text);
      return {};
    }
    std::optional<int> retry_after;
    if (auto ra = (*resp)->headers.get("Retry-After")) {
      std::string v(*ra);
      if (!v.empty() && v.size() < 7 && v.find_first_not_of("0123456789") == std::string::npos)
        retry_after = std::stoi(v) * 1000;
    }
    bool retryable = status == 408 || status == 429 || status >= 500;
    std::string msg = where + " answered HTTP " + std::to_string(status);
    if (!text.empty()) msg += ": " + text.substr(0, 300);
    if (!retryable) msg += " (not retried until the longest backoff; check the sink's token and destination)";
    return delivery_failed(std::move(msg), retryable, retry_after);
  }

  SinkConfig m_cfg;
  Target m_target;
  http::Headers m_headers;
  http::UpstreamPool m_pool;
};

class HecSink final : public HttpSink {
public:
  using HttpSink::HttpSink;
  std::string_view type() const override { return "splunk_hec"; }
  Delivery deliver(const std::vector<FeedEvent>& batch) override {
    std::string body = hec_body(batch, m_cfg);
    if (body.empty()) return {};
    return post(std::move(body));
  }
};

class OtlpSink final : public HttpSink {
public:
  using HttpSink::HttpSink;
  std::string_view type() const override { return "otlp"; }
  Delivery deliver(const std::vector<FeedEvent>& batch) override {
    std::string reply;
    auto body = otlp_logs_request(batch, GW_VERSION).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (auto d = post(std::move(body), &reply); !d) return d;
    // A collector may accept the request yet reject some records for good (partial success);
    // resending them cannot help, so it is logged for the operator and delivery goes on.
    auto j = nlohmann::json::parse(reply, nullptr, false);
    if (j.is_object() && j.contains("partialSuccess") && j["partialSuccess"].is_object()) {
      const auto& ps = j["partialSuccess"];
      auto rejected = ps.value("rejectedLogRecords", nlohmann::json(0));
      if (rejected != 0 && rejected != "0")
        log::write(log::Level::warn, "otlp collector rejected log records",
                   {{"sink", m_cfg.name}, {"rejected", rejected}, {"error", ps.value("errorMessage", "")}});
    }
    return {};
  }
};

Result<std::string> read_token(const SinkConfig& cfg) {
  std::string token;
  if (!cfg.token_env.empty()) {
    const char* v = std::getenv(cfg.token_env.c_str());
    if (!v || !*v)
      return fail(Errc::config, "siem sink '" + cfg.name + "': environment variable " + cfg.token_env +
                                    " (token_env) is not set; set it to the HEC token");
    token = v;
  } else {
    std::ifstream in(cfg.token_file);
    if (!in || !std::getline(in, token) || token.empty())
      return fail(Errc::config, "siem sink '" + cfg.name + "': cannot read the HEC token from " +
                                    cfg.token_file + " (token_file); its first line must be the token");
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

}  // namespace

Result<std::unique_ptr<Sink>> make_hec_sink(const SinkConfig& cfg) {
  GW_TRY(target, parse_target(cfg, "/services/collector/event"));
  GW_TRY(token, read_token(cfg));
  http::Headers headers;
  headers.add("Authorization", "Splunk " + token);
  return std::unique_ptr<Sink>(std::make_unique<HecSink>(cfg, std::move(target), std::move(headers)));
}

Result<std::unique_ptr<Sink>> make_otlp_sink(const SinkConfig& cfg) {
  GW_TRY(target, parse_target(cfg, "/v1/logs"));
  http::Headers headers;
  for (const auto& [name, env] : cfg.headers_env) {
    const char* v = std::getenv(env.c_str());
    if (!v)
      return fail(Errc::config, "siem sink '" + cfg.name + "': environment variable " + env +
                                    " (headers_env." + name + ") is not set");
    headers.add(name, v);
  }
  return std::unique_ptr<Sink>(std::make_unique<OtlpSink>(cfg, std::move(target), std::move(headers)));
}

Result<std::unique_ptr<Sink>> make_sink(const SinkConfig& cfg) {
  switch (cfg.type) {
    case SinkType::file: return make_file_sink(cfg);
    case SinkType::syslog: return make_syslog_sink(cfg);
    case SinkType::splunk_hec: return make_hec_sink(cfg);
    case SinkType::otlp: return make_otlp_sink(cfg);
  }
  return fail(Errc::internal, "unknown sink type");
}

}  // namespace gw::siem
