#pragma once
// The loopback HTTP listener for the agents. Binds 127.0.0.1 only; refuses requests that carry
// Origin or Referer, or a Host that is not loopback (DNS rebinding from a browser); reads bodies
// itself so an oversized body gets a 413 in the provider's shape; then runs the pipeline and
// relays the upstream response (see relay.hpp).
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/relay/relay.hpp"
#include "core/http/server.hpp"

namespace gw::agent {

struct ListenerOptions {
  std::string host = "127.0.0.1";
  int port = 0;                           // 0: any free port
  size_t max_body_bytes = 32 * 1024 * 1024;
  size_t max_threads = 1024;
  int client_idle_timeout_s = 300;        // keep-alive idle time of an agent's connection
};

class Listener {
public:
  Listener(ListenerOptions opts, relay::Relay& relay);
  ~Listener();
  // Binds and starts serving on gw's HTTP server (core/http/server.hpp); returns the bound port.
  Result<int> start();
  void stop();
  int port() const { return m_port; }

private:
  void on_request(http::ServerRequest& req);
  ListenerOptions m_opts;
  relay::Relay& m_relay;
  std::unique_ptr<http::Server> m_server;
  int m_port = 0;
};

// True for Host header values naming a loopback address (127.x, localhost, [::1]), any port.
bool is_loopback_host(std::string_view host);

}  // namespace gw::agent
