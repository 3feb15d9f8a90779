#include "core/policy/trust.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "core/common/crypto.hpp"
#include "core/common/files.hpp"

namespace gw::policy {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path trust_file(const fs::path& dir) { return dir / "trust.json"; }

// The first valid signature by a pinned root, or an error naming what was wrong.
Status check_root_signature(const SignedDoc& doc, const TrustStore& trust, std::string_view what) {
  for (const auto& sig : doc.signatures) {
    auto it = trust.roots.find(sig.key_id);
    if (it != trust.roots.end() && signature_valid(doc, sig, it->second)) return {};
  }
  std::string ids;
  for (const auto& sig : doc.signatures) ids += (ids.empty() ? "" : ", ") + sig.key_id;
  return fail(Errc::denied, std::string(what) + " is not signed by a pinned root key (signed by " + ids +
                                "; `gw trust list` shows the pinned roots)");
}

Result<json> parse_payload(const SignedDoc& doc, std::string_view what) {
  json j = json::parse(doc.payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Errc::invalid_argument, std::string(what) + ": payload is not a JSON object");
  return j;
}

}  // namespace

Result<int64_t> parse_duration_s(std::string_view text) {
  if (text.empty()) return fail(Errc::invalid_argument, "empty duration (use e.g. 7d, 12h, 30m)");
  int64_t unit = 1;
  switch (text.back()) {
    case 'd': unit = 86400; text.remove_suffix(1); break;
    case 'h': unit = 3600; text.remove_suffix(1); break;
    case 'm': unit = 60; text.remove_suffix(1); break;
    case 's': text.remove_suffix(1); break;
    default: break;
  }
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n < 0 || n > (int64_t{1} << 40) / unit)
    return fail(Errc::invalid_argument, "'" + std::string(text) + "' is not a duration (use e.g. 7d, 12h, 30m)");
  return n * unit;
}

Result<TrustStore> TrustStore::load(const fs::path& dir) {
  auto text = read_file(trust_file(dir), 1 << 20);
  if (!text) {
    if (text.error().code == Errc::not_found)
      return fail(Errc::config, "no trusted root keys at " + trust_file(dir).string() +
                                    "; pin your organisation's root with: gw trust add ROOT.pub --org ORG");
    return std::unexpected(text.error());
  }
  json j = json::parse(*text, nullptr, false);
  std::string where = trust_file(dir).string();
  if (j.is_discarded() || !j.is_object()) return fail(Errc::config, where + ": not valid JSON");
  TrustStore t;
  if (!j.contains("org") || !j["org"].is_string()) return fail(Errc::config, where + ": org: missing or not a string");
  t.org = j["org"].get<std::string>();
  if (j.contains("threshold")) {
    if (!j["threshold"].is_number_integer() || j["threshold"].get<int>() < 1)
      return fail(Errc::config, where + ": threshold: must be an integer >= 1");
    t.threshold = j["threshold"].get<int>();
  }
  if (!j.contains("roots") || !j["roots"].is_object()) return fail(Errc::config, where + ": roots: missing or not an object");
  for (const auto& [id, pem] : j["roots"].items()) {
    if (!pem.is_string()) return fail(Errc::config, where + ": roots." + id + ": not a PEM string");
    GW_TRY(key, Ed25519Key::from_pem(pem.get<std::string>(), where + ": roots." + id));
    if (key.key_id() != id) return fail(Errc::config, where + ": roots." + id + ": the key's id is " + key.key_id());
    t.roots.emplace(id, std::move(key));
  }
  if (t.roots.empty()) return fail(Errc::config, where + ": no root keys");
  return t;
}

Status TrustStore::save(const fs::path& dir) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  json roots_j = json::object();
  for (const auto& [id, key] : roots) roots_j[id] = key.to_public_pem();
  json j = {{"org", org}, {"threshold", threshold}, {"roots", std::move(roots_j)}};
  return write_file_atomic(trust_file(dir), j.dump(2) + "\n", 0644);
}

Status TrustStore::add_root(const Ed25519Key& root, const std::string& org_id) {
  if (org_id.empty()) return fail(Errc::invalid_argument, "the organisation id is empty");
  if (!org.empty() && org != org_id)
    return fail(Errc::config, "this machine already trusts organisation '" + org + "', not '" + org_id +
                                  "'; remove the trust file first to switch (gw trust reset)");
  org = org_id;
  roots.insert_or_assign(root.key_id(), Ed25519Key::from_public(root.public_raw()).value());
  return {};
}

Result<SignedDoc> issue_key_cert(const KeyCert& cert, const Ed25519Key& root) {
  SignedDoc doc;
  doc.type = k_type_key_cert;
  doc.payload = json{{"org", cert.org},
                     {"key_id", cert.key.key_id()},
                     {"public_key", base64url(cert.key.public_raw())},
                     {"not_before", cert.not_before},
                     {"not_after", cert.not_after}}
                    .dump();
  GW_CHECK(add_signature(doc, root));
  return doc;
}

Result<SignedDoc> issue_revocations(const RevocationList& list, const Ed25519Key& root) {
  SignedDoc doc;
  doc.type = k_type_revocations;
  doc.payload = json{{"org", list.org}, {"serial", list.serial}, {"issued_at", list.issued_at}, {"revoked", list.revoked}}.dump();
  GW_CHECK(add_signature(doc, root));
  return doc;
}

Result<KeyCert> verify_key_cert(const SignedDoc& doc, const TrustStore& trust) {
  if (doc.type != k_type_key_cert) return fail(Errc::invalid_argument, "a certificate has type '" + doc.type + "'");
  GW_CHECK(check_root_signature(doc, trust, "a signing-key certificate"));
  GW_TRY(j, parse_payload(doc, "certificate"));
  KeyCert c;
  try {
    c.org = j.at("org").get<std::string>();
    auto pub = from_base64url(j.at("public_key").get<std::string>());
    if (!pub) return fail(Errc::invalid_argument, "certificate: public_key is not base64url");
    GW_TRY(key, Ed25519Key::from_public(*pub));
    c.key = std::move(key);
    c.not_before = j.at("not_before").get<int64_t>();
    c.not_after = j.at("not_after").get<int64_t>();
    if (j.at("key_id").get<std::string>() != c.key.key_id())
      return fail(Errc::invalid_argument, "certificate: key_id does not match its public key");
  } catch (const json::exception&) {
    return fail(Errc::invalid_argument, "certificate: payload lacks org, key_id, public_key, not_before or not_after");
  }
  return c;
}

Result<RevocationList> verify_revocations(const SignedDoc& doc, const TrustStore& trust) {
  if (doc.type != k_type_revocations) return fail(Errc::invalid_argument, "a revocation list has type '" + doc.type + "'");
  GW_CHECK(check_root_signature(doc, trust, "the revocation list"));
  GW_TRY(j, parse_payload(doc, "revocation list"));
  RevocationList r;
  try {
    r.org = j.at("org").get<std::string>();
    r.serial = j.at("serial").get<uint64_t>();
    r.issued_at = j.at("issued_at").get<int64_t>();
    for (const auto& id : j.at("revoked")) r.revoked.insert(id.get<std::string>());
  } catch (const json::exception&) {
    return fail(Errc::invalid_argument, "revocation list: payload lacks org, serial, issued_at or revoked");
  }
  return r;
}

}  // namespace gw::policy
