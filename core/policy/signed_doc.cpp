#include "core/policy/signed_doc.hpp"

#include "core/common/crypto.hpp"

namespace gw::policy {

std::string signed_message(std::string_view type, std::string_view payload) {
  std::string msg = "gw-signed-v1\n";
  msg += type;
  msg += '\n';
  msg += payload;
  return msg;
}

Status add_signature(SignedDoc& doc, const Ed25519Key& key) {
  GW_TRY(sig, key.sign(signed_message(doc.type, doc.payload)));
  doc.signatures.push_back({key.key_id(), std::move(sig)});
  return {};
}

bool signature_valid(const SignedDoc& doc, const Signature& sig, const Ed25519Key& key) {
  if (!constant_time_equal(sig.key_id, key.key_id())) return false;
  return key.verify(signed_message(doc.type, doc.payload), sig.sig);
}

nlohmann::json to_json(const SignedDoc& doc) {
  nlohmann::json sigs = nlohmann::json::array();
  for (const auto& s : doc.signatures) sigs.push_back({{"key_id", s.key_id}, {"sig", base64url(s.sig)}});
  return {{"type", doc.type}, {"payload", base64url(doc.payload)}, {"signatures", std::move(sigs)}};
}

Result<SignedDoc> signed_doc_from_json(const nlohmann::json& j, std::string_view what) {
  std::string w(what);
  if (!j.is_object()) return fail(Errc::invalid_argument, w + ": not a JSON object");
  auto str = [&](const nlohmann::json& o, const char* key, const std::string& where) -> Result<std::string> {
    auto it = o.find(key);
    if (it == o.end() || !it->is_string())
      return fail(Errc::invalid_argument, where + "." + key + ": missing or not a string");
    return it->get<std::string>();
  };
  SignedDoc doc;
  GW_TRY(type, str(j, "type", w));
  doc.type = std::move(type);
  GW_TRY(payload64, str(j, "payload", w));
  auto payload = from_base64url(payload64);
  if (!payload) return fail(Errc::invalid_argument, w + ".payload: not valid base64url");
  doc.payload = std::move(*payload);
  auto sigs = j.find("signatures");
  if (sigs == j.end() || !sigs->is_array() || sigs->empty())
    return fail(Errc::invalid_argument, w + ".signatures: missing or empty (the document is not signed)");
  for (size_t i = 0; i < sigs->size(); ++i) {
    std::string where = w + ".signatures[" + std::to_string(i) + "]";
    const auto& s = (*sigs)[i];
    if (!s.is_object()) return fail(Errc::invalid_argument, where + ": not an object");
    GW_TRY(key_id, str(s, "key_id", where));
    GW_TRY(sig64, str(s, "sig", where));
    auto sig = from_base64url(sig64);
    if (!sig || sig->size() != 64) return fail(Errc::invalid_argument, where + ".sig: not a 64-byte base64url signature");
    doc.signatures.push_back({std::move(key_id), std::move(*sig)});
  }
  return doc;
}

}  // namespace gw::policy
