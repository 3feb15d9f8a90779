#pragma once
// An httplib::Server that owns the connection loop so that it can (1) record each request's raw
// header block, keeping header order and case, which httplib's Headers map loses, (2) terminate
// TLS itself with OpenSSL, and (3) close a connection abruptly when a response is cut.
#include <httplib.h>
#include <openssl/ssl.h>

#include <string>

namespace gw::fake {

class RecordingServer : public httplib::Server {
public:
  RecordingServer() = default;
  ~RecordingServer() override;
  // Loads a PEM certificate chain and key; afterwards every connection is TLS. False on error
  // (the message goes to `error`).
  bool enable_tls(const std::string& cert, const std::string& key, std::string& error);
  // Long timeouts: the pause fault and slow clients must never be cut by the defaults (5 s).
  void configure(int threads, bool compress);

private:
  bool process_and_close_socket(socket_t sock) override;
  SSL_CTX* m_ssl_ctx = nullptr;
  bool m_compress = false;
};

}  // namespace gw::fake
