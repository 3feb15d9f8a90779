#include "agent/listener.hpp"

#include <httplib.h>

#include <sys/socket.h>

#include <charconv>
#include <limits>

#include "agent/elastic_pool.hpp"

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

Listener::Listener(ListenerOptions opts, Relay& relay) : m_opts(std::move(opts)), m_relay(relay) {}

Listener::~Listener() { stop(); }

Result<int> Listener::start() {
  m_server = std::make_unique<httplib::Server>();
  auto& s = *m_server;
  size_t max_threads = m_opts.max_threads;
  s.new_task_queue = [max_threads] { return new ElasticPool(8, max_threads); };
  s.set_tcp_nodelay(true);
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second
  // sidecar bind the same port and split the agents' traffic.
  int listen_fd = -1;
  s.set_socket_options([&listen_fd](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd = sock;
  });
  s.set_keep_alive_max_count(100000);
  s.set_keep_alive_timeout(m_opts.client_idle_timeout_s);
  s.set_read_timeout(120, 0);   // an agent sends its whole request at once
  s.set_write_timeout(600, 0);  // a TUI may stop reading for a while; never cut a stream early
  s.set_payload_max_length(std::numeric_limits<size_t>::max());  // enforced below, in the API's shape

  size_t max_body = m_opts.max_body_bytes;
  Relay& relay = m_relay;
  // Returns false (after answering) when the request must not go further.
  auto guard = [&relay](const httplib::Request& req, httplib::Response& res) {
    if (req.has_header("Origin") || req.has_header("Referer")) {
      relay.refuse(req, res, 403, "gw: requests from web pages (Origin/Referer present) are refused by the local sidecar");
      return false;
    }
    if (!is_loopback_host(req.get_header_value("Host"))) {
      relay.refuse(req, res, 403, "gw: the Host header must name a loopback address; refusing (DNS rebinding protection)");
      return false;
    }
    // The response is relayed as the upstream sent it; never re-encoded by the listener.
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    return true;
  };
  auto with_body = [&relay, guard, max_body](const httplib::Request& req, httplib::Response& res,
                                             const httplib::ContentReader& reader) {
    if (!guard(req, res)) return;
    std::string body;
    if (auto cl = req.get_header_value("Content-Length"); !cl.empty()) {
      size_t n = 0;
      std::from_chars(cl.data(), cl.data() + cl.size(), n);
      if (n > max_body) {
        res.set_header("Connection", "close");
        relay.refuse(req, res, 413, "gw: request body of " + std::to_string(n) + " bytes exceeds the limit of " +
                                        std::to_string(max_body) + " bytes");
        return;
      }
      body.reserve(n);
    }
    bool too_big = false;
    reader([&](const char* data, size_t len) {
      if (body.size() + len > max_body) {
        too_big = true;
        return false;
      }
      body.append(data, len);
      return true;
    });
    if (too_big) {
      res.set_header("Connection", "close");
      relay.refuse(req, res, 413, "gw: request body exceeds the limit of " + std::to_string(max_body) + " bytes");
      return;
    }
    relay.handle(req, res, std::move(body));
  };
  auto no_body = [&relay, guard](const httplib::Request& req, httplib::Response& res) {
    if (!guard(req, res)) return;
    relay.handle(req, res, std::string());
  };
  s.Get(".*", no_body);  // also serves HEAD
  s.Options(".*", no_body);
  s.Post(".*", with_body);
  s.Put(".*", with_body);
  s.Patch(".*", with_body);
  s.Delete(".*", with_body);

  if (m_opts.port == 0) {
    m_port = s.bind_to_any_port(m_opts.host);
  } else {
    m_port = s.bind_to_port(m_opts.host, m_opts.port) ? m_opts.port : -1;
  }
  if (m_port <= 0)
    return fail(Errc::unavailable, "cannot listen on " + m_opts.host + ":" + std::to_string(m_opts.port) +
                                       " (is another program using the port? set a different port with --port)");
  // httplib listens with a backlog of 5; a burst of agent connections (parallel tool calls,
  // several agents starting) would see refused or stalled connects. Raise it.
  if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
  m_thread = std::thread([this] { m_server->listen_after_bind(); });
  return m_port;
}

void Listener::stop() {
  if (m_server) m_server->stop();
  if (m_thread.joinable()) m_thread.join();
}

}  // namespace gw::agent
