#pragma once
// TLS for gw's own HTTP server (server.hpp): a server certificate and key loaded once from PEM
// files, shared by every connection. TLS 1.2 minimum, no ALPN (clients speak HTTP/1.1), a clean
// close by the client without close_notify counts as a normal close.
#include <filesystem>
#include <memory>

#include "core/common/result.hpp"

typedef struct ssl_ctx_st SSL_CTX;

namespace gw::http {

class TlsServerContext {
public:
  // Loads the certificate chain and private key. Errors (Errc::config) name the file and say
  // what is wrong (unreadable, not PEM, key does not match the certificate).
  static Result<std::shared_ptr<const TlsServerContext>> load(const std::filesystem::path& cert_chain,
                                                              const std::filesystem::path& key);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;
  SSL_CTX* native() const { return m_ctx; }

private:
  explicit TlsServerContext(SSL_CTX* ctx) : m_ctx(ctx) {}
  SSL_CTX* m_ctx;
};

}  // namespace gw::http
