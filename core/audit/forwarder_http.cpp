#include "core/audit/forwarder_http.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

namespace gw::audit {
using nlohmann::json;

namespace {

class HttpShipTransport final : public ShipTransport {
public:
  HttpShipTransport(HttpShipOptions opts, std::string origin, std::string prefix)
      : m_opts(std::move(opts)), m_origin(std::move(origin)), m_prefix(std::move(prefix)), m_client(m_origin) {
    m_client.set_connection_timeout(m_opts.connect_timeout_s, 0);
    m_client.set_read_timeout(m_opts.timeout_s, 0);
    m_client.set_write_timeout(m_opts.timeout_s, 0);
    m_client.set_keep_alive(true);
    // Headers and body go out in separate writes: without this, Nagle holds the body until the
    // central's delayed ACK (~40 ms per batch on Linux), which capped shipping, not the CPU.
    m_client.set_tcp_nodelay(true);
    if (!m_opts.ca_file.empty()) m_client.set_ca_cert_path(m_opts.ca_file.c_str());
    m_client.enable_server_certificate_verification(true);
  }

  std::string describe() const override { return m_opts.url; }

  Result<ShipReply> send(const std::string& body, const std::string& signature_header) override {
    httplib::Headers headers = {{"Authorization", "Bearer " + m_opts.token}, {"X-Gw-Signature", signature_header}};
    auto res = m_client.Post((m_prefix + "/v1/audit/batches").c_str(), headers, body, "application/json");
    if (!res)
      return fail(Errc::unavailable, "cannot reach the central gateway at " + m_opts.url + " (" +
                                         httplib::to_string(res.error()) + ")");
    json j = json::parse(res->body, nullptr, false);
    std::string message = j.is_object() && j.contains("error") && j["error"].is_object()
                              ? j["error"].value("message", "")
                              : "";
    if (res->status == 401 || res->status == 403)
      return fail(Errc::denied, "the central gateway refused the batch (HTTP " + std::to_string(res->status) +
                                    "): " + message);
    if (res->status == 400 || res->status == 413)
      return fail(Errc::invalid_argument, "the central gateway rejected the batch (HTTP " +
                                              std::to_string(res->status) + "): " + message);
    if (res->status != 200 || !j.is_object() || !j.contains("acked_seq") || !j["acked_seq"].is_number_unsigned())
      return fail(Errc::unavailable, "the central gateway answered HTTP " + std::to_string(res->status) +
                                         (message.empty() ? std::string() : ": " + message));
    ShipReply r;
    r.acked_seq = j["acked_seq"].get<uint64_t>();
    r.epoch = j.value("epoch", uint64_t{0});
    if (auto a = j.find("alarms"); a != j.end() && a->is_array())
      for (const auto& x : *a)
        if (x.is_string()) r.alarms.push_back(x.get<std::string>());
    return r;
  }

private:
  HttpShipOptions m_opts;
  std::string m_origin;
  std::string m_prefix;
  httplib::Client m_client;
};

}  // namespace

Result<std::unique_ptr<ShipTransport>> make_http_transport(HttpShipOptions opts) {
  const std::string& url = opts.url;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos || (url.substr(0, scheme_end) != "http" && url.substr(0, scheme_end) != "https"))
    return fail(Errc::invalid_argument, "central url must start with https:// (or http:// for loopback), got \"" + url + "\"");
  size_t path = url.find('/', scheme_end + 3);
  std::string origin = path == std::string::npos ? url : url.substr(0, path);
  std::string prefix = path == std::string::npos ? "" : url.substr(path);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (origin.size() <= scheme_end + 3) return fail(Errc::invalid_argument, "central url has no host: \"" + url + "\"");
  return std::unique_ptr<ShipTransport>(new HttpShipTransport(std::move(opts), origin, prefix));
}

}  // namespace gw::audit
