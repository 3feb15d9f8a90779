#include "tests/support/http_client.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace gw::test {

httplib::Client make_client(const std::string& base_url) {
  httplib::Client cli(base_url);
  cli.enable_server_certificate_verification(false);
  cli.set_read_timeout(std::chrono::seconds(120));
  cli.set_write_timeout(std::chrono::seconds(120));
  cli.set_connection_timeout(std::chrono::seconds(10));
  return cli;
}

StreamResult post_streaming(httplib::Client& client, const std::string& path, const std::string& body,
                            const httplib::Headers& headers) {
  StreamResult out;
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.headers = headers;
  req.headers.emplace("Content-Type", "application/json");
  req.body = body;
  req.response_handler = [&](const httplib::Response& r) {
    out.status = r.status;
    out.headers = r.headers;
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    out.chunks.push_back({std::chrono::steady_clock::now(), std::string(data, n)});
    out.body.append(data, n);
    return true;
  };
  out.started = std::chrono::steady_clock::now();
  httplib::Result res = client.send(req);
  out.ok = static_cast<bool>(res);
  if (!res) out.error = httplib::to_string(res.error());
  return out;
}

std::vector<SseEvent> parse_sse(const std::string& body) {
  std::vector<SseEvent> out;
  SseEvent cur;
  bool any = false, has_data = false;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t nl = body.find('\n', pos);
    std::string line = body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (any) out.push_back(cur);
      cur = {};
      any = has_data = false;
    } else if (line.rfind("event:", 0) == 0) {
      cur.event = line.substr(line.size() > 6 && line[6] == ' ' ? 7 : 6);
      any = true;
    } else if (line.rfind("data:", 0) == 0) {
      std::string d = line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
      cur.data = has_data ? cur.data + "\n" + d : d;
      has_data = any = true;
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  if (any) out.push_back(cur);
  return out;
}

TlsFiles make_self_signed_cert(const std::filesystem::path& dir) {
  auto fail = [](const char* what) { throw std::runtime_error(std::string("make_self_signed_cert: ") + what); };
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) fail("key generation failed");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  X509_EXTENSION* ext =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  if (!ext) fail("subjectAltName failed");
  X509_add_ext(cert.get(), ext, -1);
  X509_EXTENSION_free(ext);
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) fail("signing failed");

  TlsFiles files{dir / "cert.pem", dir / "key.pem"};
  std::FILE* f = std::fopen(files.cert.c_str(), "w");
  if (!f || !PEM_write_X509(f, cert.get())) fail("cannot write cert.pem");
  std::fclose(f);
  f = std::fopen(files.key.c_str(), "w");
  if (!f || !PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr)) fail("cannot write key.pem");
  std::fclose(f);
  return files;
}

}  // namespace gw::test
