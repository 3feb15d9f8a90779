#pragma once
// The opt-in HTTP endpoint Prometheus scrapes: `GET /metrics` on its own loopback port
// (`gw agent run --metrics-port N`, env GW_METRICS_PORT; ADR 0030). It serves nothing else (404),
// never runs the pipeline, and refuses requests that carry Origin/Referer or a non-loopback Host
// (a web page must not read key ids and spend through DNS rebinding).
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/common/result.hpp"

namespace httplib {
class Server;
}

namespace gw::agent {

class MetricsHttp {
public:
  using Render = std::function<std::string()>;
  MetricsHttp(std::string host, int port, Render render);
  ~MetricsHttp();
  // Binds (port 0: any free port) and serves on a background thread; returns the bound port.
  Result<int> start();
  void stop();

private:
  std::string m_host;
  int m_port;
  Render m_render;
  std::unique_ptr<httplib::Server> m_server;
  std::thread m_thread;
};

}  // namespace gw::agent
