#include "agent/metrics_http.hpp"

#include <httplib.h>

#include "agent/listener.hpp"

namespace gw::agent {

namespace {
constexpr const char* k_content_type = "text/plain; version=0.0.4; charset=utf-8";
}

MetricsHttp::MetricsHttp(std::string host, int port, Render render)
    : m_host(std::move(host)), m_port(port), m_render(std::move(render)) {}

MetricsHttp::~MetricsHttp() { stop(); }

Result<int> MetricsHttp::start() {
  m_server = std::make_unique<httplib::Server>();
  auto& s = *m_server;
  // A scrape is small and rare: a couple of workers is plenty.
  s.new_task_queue = [] { return new httplib::ThreadPool(2); };
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);
  s.set_payload_max_length(64 * 1024);
  Render render = m_render;
  s.Get(".*", [render](const httplib::Request& req, httplib::Response& res) {
    if (req.has_header("Origin") || req.has_header("Referer") || !is_loopback_host(req.get_header_value("Host"))) {
      res.status = 403;
      res.set_content("gw: refused: requests from web pages or with a non-loopback Host are not served\n", "text/plain");
      return;
    }
    if (req.path != "/metrics") {
      res.status = 404;
      res.set_content("gw: only GET /metrics is served on this port\n", "text/plain");
      return;
    }
    res.set_content(render(), k_content_type);
  });
  int bound = m_port == 0 ? s.bind_to_any_port(m_host) : (s.bind_to_port(m_host, m_port) ? m_port : -1);
  if (bound <= 0)
    return fail(Errc::unavailable, "cannot listen for metrics on " + m_host + ":" + std::to_string(m_port) +
                                       " (is the port in use? pick another with --metrics-port or GW_METRICS_PORT)");
  m_thread = std::thread([this] { m_server->listen_after_bind(); });
  return bound;
}

void MetricsHttp::stop() {
  if (m_server) m_server->stop();
  if (m_thread.joinable()) m_thread.join();
}

}  // namespace gw::agent
