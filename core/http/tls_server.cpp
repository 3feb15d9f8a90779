#include "core/http/tls_server.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace gw::http {

namespace {

std::string openssl_reason() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

}  // namespace

Result<std::shared_ptr<const TlsServerContext>> TlsServerContext::load(const std::filesystem::path& cert_chain,
                                                                       const std::filesystem::path& key) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return fail(Errc::internal, "cannot create a TLS context: " + openssl_reason());
  auto ctx_guard = std::shared_ptr<const TlsServerContext>(new TlsServerContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Writes are retried with the same buffer after a would-block; the buffer may be a new copy.
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // A client that closes the TCP connection without close_notify (common) is a normal close.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_chain.c_str()) != 1)
    return fail(Errc::config, "cannot use the TLS certificate " + cert_chain.string() +
                                  " (missing, unreadable or not a PEM certificate chain): " + openssl_reason());
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return fail(Errc::config, "the TLS private key " + key.string() + " does not match the certificate " +
                                    cert_chain.string());
    }
    return fail(Errc::config, "cannot use the TLS private key " + key.string() +
                                  " (missing, unreadable or not a PEM private key): " + openssl_reason());
  }
  if (SSL_CTX_check_private_key(ctx) != 1)
    return fail(Errc::config, "the TLS private key " + key.string() + " does not match the certificate " +
                                  cert_chain.string());
  return ctx_guard;
}

TlsServerContext::~TlsServerContext() { SSL_CTX_free(m_ctx); }

}  // namespace gw::http
