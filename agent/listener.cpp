#include "agent/listener.hpp"

namespace gw::agent {

bool is_loopback_host(std::string_view host) {
  if (host.starts_with("[")) {
    size_t close = host.find(']');
    return close != std::string_view::npos && host.substr(1, close - 1) == "::1";
  }
  std::string_view name = host.substr(0, host.rfind(':'));
  if (name == "localhost") return true;
  if (!name.starts_with("127.")) return false;
  // 127.0.0.0/8 written as a dotted quad.
  int dots = 0;
  for (char c : name) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3;
}

Listener::Listener(ListenerOptions opts, relay::Relay& relay) : m_opts(std::move(opts)), m_relay(relay) {}

Listener::~Listener() { stop(); }

Result<int> Listener::start() {
  http::ServerOptions o;
  o.host = m_opts.host;
  o.port = m_opts.port;
  o.max_threads = m_opts.max_threads;
  o.idle_timeout_ms = m_opts.client_idle_timeout_s * 1000;
  o.read_timeout_ms = 120'000;   // an agent sends its whole request at once
  o.write_timeout_ms = 600'000;  // a TUI may stop reading for a while; never cut a stream early
  m_server = std::make_unique<http::Server>(o, [this](http::ServerRequest& req) { on_request(req); });
  auto port = m_server->start();
  if (!port) return std::unexpected(port.error());
  m_port = *port;
  return m_port;
}

void Listener::on_request(http::ServerRequest& req) {
  http::RequestHead& head = req.head();
  http::ResponseWriter& res = req.response();
  if (head.headers.has("Origin") || head.headers.has("Referer"))
    return m_relay.refuse(head, res, 403, "gw: requests from web pages (Origin/Referer present) are refused by the local sidecar");
  if (!is_loopback_host(head.headers.get("Host").value_or("")))
    return m_relay.refuse(head, res, 403, "gw: the Host header must name a loopback address; refusing (DNS rebinding protection)");
  // The response is relayed as the upstream sent it; never re-encoded by the listener.
  head.headers.remove("Accept-Encoding");
  auto body = req.read_body(m_opts.max_body_bytes);
  if (!body) {
    switch (body.error().code) {
      case Errc::denied: return m_relay.refuse(head, res, 413, "gw: " + body.error().message);
      case Errc::protocol: return m_relay.refuse(head, res, 400, "gw: " + body.error().message);
      case Errc::timeout:
        res.close_after();
        return m_relay.refuse(head, res, 408, "gw: the request body stalled: " + body.error().message);
      default: return res.close_after();  // the agent left mid-body: nobody to answer
    }
  }
  m_relay.handle(head, std::move(*body), res);
}

void Listener::stop() {
  if (m_server) m_server->stop();
}

}  // namespace gw::agent
