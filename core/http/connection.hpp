#pragma once
// A client socket, plain TCP or TLS (OpenSSL), with deadline-bounded reads and writes.
#include <memory>
#include <string>

#include "core/common/result.hpp"

namespace gw::http {

class Connection {
public:
  // Connects to host:port within connect_timeout_ms; with ssl_ctx (an SSL_CTX*) performs the TLS
  // handshake with SNI and hostname verification when verify is on.
  static Result<std::unique_ptr<Connection>> open(const std::string& host, int port, void* ssl_ctx,
                                                  bool verify, int connect_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Writes all bytes or fails (timeout or peer gone).
  Status write_all(std::string_view data, int timeout_ms);
  // Reads at most n bytes, waiting up to timeout_ms for the first; 0 means the peer closed.
  Result<size_t> read_some(char* buf, size_t n, int timeout_ms);
  // True when the idle connection looks reusable (no EOF or stray bytes pending).
  bool idle_usable();

private:
  Connection() = default;
  Status wait(bool for_write, int timeout_ms);
  int m_fd = -1;
  void* m_ssl = nullptr;  // SSL*
};

}  // namespace gw::http
