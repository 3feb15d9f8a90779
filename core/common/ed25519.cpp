#include "core/common/ed25519.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "core/common/crypto.hpp"

namespace gw {
namespace {
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}
}  // namespace

Result<Ed25519Key> Ed25519Key::from_private(std::string_view seed32) {
  if (seed32.size() != 32) return fail(Errc::invalid_argument, "Ed25519 key: the private seed must be 32 bytes");
  PkeyPtr pk(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(seed32), 32));
  if (!pk) return fail(Errc::internal, "Ed25519 key: OpenSSL refused the seed");
  unsigned char pub[32];
  size_t len = sizeof pub;
  if (EVP_PKEY_get_raw_public_key(pk.get(), pub, &len) != 1 || len != 32)
    return fail(Errc::internal, "Ed25519 key: cannot derive the public key");
  Ed25519Key k;
  k.m_seed = std::string(seed32);
  k.m_public = std::string(reinterpret_cast<char*>(pub), 32);
  return k;
}

Result<Ed25519Key> Ed25519Key::from_public(std::string_view pub32) {
  if (pub32.size() != 32) return fail(Errc::invalid_argument, "Ed25519 key: the public key must be 32 bytes");
  Ed25519Key k;
  k.m_public = std::string(pub32);
  return k;
}

Ed25519Key Ed25519Key::generate() { return *from_private(random_bytes(32)); }

Result<Ed25519Key> Ed25519Key::from_pem(std::string_view pem, std::string_view what) {
  bool is_private = pem.find("PRIVATE KEY-----") != std::string_view::npos;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr pk(is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                        : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pk) return fail(Errc::config, std::string(what) + ": not a PEM key (expected an Ed25519 key written by `gw policy keygen`)");
  if (EVP_PKEY_get_id(pk.get()) != EVP_PKEY_ED25519)
    return fail(Errc::config, std::string(what) + ": the key is not an Ed25519 key");
  unsigned char raw[32];
  size_t len = sizeof raw;
  if (is_private) {
    if (EVP_PKEY_get_raw_private_key(pk.get(), raw, &len) != 1 || len != 32)
      return fail(Errc::config, std::string(what) + ": cannot read the Ed25519 private key");
    return from_private(std::string_view(reinterpret_cast<char*>(raw), len));
  }
  if (EVP_PKEY_get_raw_public_key(pk.get(), raw, &len) != 1 || len != 32)
    return fail(Errc::config, std::string(what) + ": cannot read the Ed25519 public key");
  return from_public(std::string_view(reinterpret_cast<char*>(raw), len));
}

std::string Ed25519Key::key_id() const { return sha256_hex(m_public).substr(0, 16); }

Result<std::string> Ed25519Key::sign(std::string_view msg) const {
  if (m_seed.empty()) return fail(Errc::internal, "Ed25519 key: no private key to sign with");
  PkeyPtr pk(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(m_seed), 32));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t len = sizeof sig;
  if (!pk || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pk.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, bytes(msg), msg.size()) != 1)
    return fail(Errc::internal, "Ed25519 key: signing failed");
  return std::string(reinterpret_cast<char*>(sig), len);
}

bool Ed25519Key::verify(std::string_view msg, std::string_view sig) const {
  if (m_public.size() != 32 || sig.size() != 64) return false;
  PkeyPtr pk(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(m_public), 32));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!pk || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pk.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), bytes(sig), sig.size(), bytes(msg), msg.size()) == 1;
}

std::string Ed25519Key::to_public_pem() const {
  PkeyPtr pk(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(m_public), 32));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!pk || !bio || PEM_write_bio_PUBKEY(bio.get(), pk.get()) != 1) return {};
  return bio_text(bio.get());
}

std::string Ed25519Key::to_private_pem() const {
  if (m_seed.empty()) return {};
  PkeyPtr pk(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(m_seed), 32));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!pk || !bio || PEM_write_bio_PrivateKey(bio.get(), pk.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return {};
  return bio_text(bio.get());
}

}  // namespace gw
