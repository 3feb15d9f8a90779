#include "core/policy/bundle.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "core/common/crypto.hpp"
#include "core/common/time_format.hpp"

namespace gw::policy {
using nlohmann::json;

std::string_view to_string(FailMode m) { return m == FailMode::open ? "open" : "closed"; }

std::string_view to_string(Rejection r) {
  switch (r) {
    case Rejection::oversized: return "oversized";
    case Rejection::malformed: return "malformed";
    case Rejection::bad_signature: return "bad_signature";
    case Rejection::unknown_key: return "unknown_key";
    case Rejection::unauthorized_key: return "unauthorized_key";
    case Rejection::revoked_key: return "revoked_key";
    case Rejection::wrong_org: return "wrong_org";
    case Rejection::rollback: return "rollback";
    case Rejection::same_version_changed: return "same_version_changed";
    case Rejection::expired: return "expired";
    case Rejection::future_dated: return "future_dated";
    case Rejection::invalid_policy: return "invalid_policy";
    case Rejection::not_enough_signatures: return "not_enough_signatures";
  }
  return "unknown";
}

namespace {

std::unexpected<BundleError> reject(Rejection r, std::string message) {
  return std::unexpected(BundleError{r, "policy bundle refused: " + std::move(message)});
}

json payload_json(const BundlePayload& p) {
  return {{"org", p.org},
          {"version", p.version},
          {"issued_at", p.issued_at},
          {"expires_at", p.expires_at},
          {"grace_seconds", p.grace_s},
          {"fail_mode", to_string(p.fail_mode)},
          {"policy_format", p.policy_format},
          {"policy", p.policy_text}};
}

Result<BundlePayload> payload_from_json(std::string_view bytes) {
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Errc::invalid_argument, "the signed payload is not a JSON object");
  BundlePayload p;
  try {
    p.org = j.at("org").get<std::string>();
    p.version = j.at("version").get<uint64_t>();
    p.issued_at = j.at("issued_at").get<int64_t>();
    p.expires_at = j.at("expires_at").get<int64_t>();
    p.grace_s = j.at("grace_seconds").get<int64_t>();
    std::string mode = j.at("fail_mode").get<std::string>();
    if (mode != "open" && mode != "closed") return fail(Errc::invalid_argument, "fail_mode must be open or closed");
    p.fail_mode = mode == "open" ? FailMode::open : FailMode::closed;
    p.policy_format = j.at("policy_format").get<std::string>();
    p.policy_text = j.at("policy").get<std::string>();
  } catch (const json::exception&) {
    return fail(Errc::invalid_argument,
                "the signed payload lacks a field (org, version, issued_at, expires_at, grace_seconds, fail_mode, "
                "policy_format, policy) or has one of the wrong type");
  }
  if (p.policy_format != "toml" && p.policy_format != "json")
    return fail(Errc::invalid_argument, "policy_format must be toml or json");
  return p;
}

// The keys a bundle's signatures may come from: pinned roots, plus delegated keys whose
// certificate verifies now. Problems with certificates are kept to explain a refusal.
struct KeyRing {
  std::map<std::string, Ed25519Key> keys;
  std::map<std::string, std::string> cert_problems;  // key id -> why its certificate is not accepted
};

KeyRing build_key_ring(const json& env, const TrustStore& trust, int64_t now, int64_t skew) {
  KeyRing ring;
  for (const auto& [id, key] : trust.roots) ring.keys.emplace(id, key);
  auto certs = env.find("certs");
  if (certs == env.end() || !certs->is_array()) return ring;
  for (size_t i = 0; i < certs->size(); ++i) {
    auto doc = signed_doc_from_json((*certs)[i], "certs[" + std::to_string(i) + "]");
    if (!doc) continue;
    json claimed_j = json::parse(doc->payload, nullptr, false);
    std::string claimed = claimed_j.is_object() && claimed_j.contains("key_id") && claimed_j["key_id"].is_string()
                              ? claimed_j["key_id"].get<std::string>()
                              : "";
    auto cert = verify_key_cert(*doc, trust);
    if (!cert) {
      if (!claimed.empty()) ring.cert_problems[claimed] = cert.error().message;
      continue;
    }
    std::string id = cert->key.key_id();
    if (cert->org != trust.org)
      ring.cert_problems[id] = "its certificate is for organisation '" + cert->org + "'";
    else if (now + skew < cert->not_before)
      ring.cert_problems[id] = "its certificate is valid only from " + utc_time(cert->not_before);
    else if (now >= cert->not_after)
      ring.cert_problems[id] = "its certificate expired at " + utc_time(cert->not_after);
    else
      ring.keys.emplace(id, cert->key);
  }
  return ring;
}

}  // namespace

Result<std::string> sign_bundle(const BundlePayload& payload, const std::vector<Signer>& signers,
                                const std::optional<SignedDoc>& revocations) {
  if (signers.empty()) return fail(Errc::invalid_argument, "a bundle needs at least one signing key");
  SignedDoc doc;
  doc.type = k_type_bundle;
  doc.payload = payload_json(payload).dump();
  json certs = json::array();
  for (const auto& s : signers) {
    GW_CHECK(add_signature(doc, s.key));
    if (s.cert) certs.push_back(to_json(*s.cert));
  }
  json env = to_json(doc);
  env["certs"] = std::move(certs);
  if (revocations) env["revocations"] = to_json(*revocations);
  return env.dump(2) + "\n";
}

std::expected<VerifiedBundle, BundleError> verify_bundle(std::string_view bytes, const TrustStore& trust,
                                                         const BundleState& state, const VerifyOptions& opts) {
  if (bytes.size() > opts.max_bytes)
    return reject(Rejection::oversized, std::to_string(bytes.size()) + " bytes is more than the limit of " +
                                            std::to_string(opts.max_bytes));
  json env = json::parse(bytes, nullptr, false);
  if (env.is_discarded() || !env.is_object())
    return reject(Rejection::malformed, "not a JSON bundle envelope (truncated or not a bundle file?)");
  auto doc = signed_doc_from_json(env, "bundle");
  if (!doc) return reject(Rejection::malformed, doc.error().message);
  if (doc->type != k_type_bundle) return reject(Rejection::malformed, "type is '" + doc->type + "', not " + std::string(k_type_bundle));

  // Revocations first, so a revoked key's own bundle cannot vouch for it.
  std::set<std::string> revoked = state.revoked;
  uint64_t serial = state.revocation_serial;
  if (auto rj = env.find("revocations"); rj != env.end() && !rj->is_null()) {
    auto rdoc = signed_doc_from_json(*rj, "revocations");
    if (!rdoc) return reject(Rejection::malformed, rdoc.error().message);
    auto list = verify_revocations(*rdoc, trust);
    if (!list) return reject(Rejection::bad_signature, list.error().message);
    if (list->org != trust.org) return reject(Rejection::wrong_org, "its revocation list is for organisation '" + list->org + "'");
    revoked.insert(list->revoked.begin(), list->revoked.end());
    serial = std::max(serial, list->serial);
  }

  KeyRing ring = build_key_ring(env, trust, opts.now_s, opts.max_skew_s);
  std::set<std::string> valid_signers;
  std::optional<BundleError> worst;
  auto note = [&worst](Rejection r, std::string msg) {
    if (!worst || r == Rejection::bad_signature || r == Rejection::revoked_key) worst = BundleError{r, std::move(msg)};
  };
  for (const auto& sig : doc->signatures) {
    if (revoked.contains(sig.key_id)) {
      note(Rejection::revoked_key, "signing key " + sig.key_id + " has been revoked by a root");
      continue;
    }
    auto key = ring.keys.find(sig.key_id);
    if (key == ring.keys.end()) {
      if (auto p = ring.cert_problems.find(sig.key_id); p != ring.cert_problems.end())
        note(Rejection::unauthorized_key, "signing key " + sig.key_id + " is not authorized: " + p->second);
      else
        note(Rejection::unknown_key, "signed by unknown key " + sig.key_id +
                                         " (neither a pinned root nor carrying a certificate from one)");
      continue;
    }
    if (!signature_valid(*doc, sig, key->second)) {
      note(Rejection::bad_signature, "the signature by key " + sig.key_id +
                                         " does not match the payload (the bundle was modified after signing)");
      continue;
    }
    valid_signers.insert(sig.key_id);
  }
  if (static_cast<int>(valid_signers.size()) < trust.threshold) {
    if (worst) return reject(worst->reason, worst->message);
    return reject(Rejection::not_enough_signatures, std::to_string(valid_signers.size()) + " valid signature(s), " +
                                                        std::to_string(trust.threshold) + " required");
  }

  auto payload = payload_from_json(doc->payload);
  if (!payload) return reject(Rejection::malformed, payload.error().message);
  std::string hash = sha256_hex(doc->payload);
  if (payload->org != trust.org)
    return reject(Rejection::wrong_org, "it is for organisation '" + payload->org + "', this machine trusts '" + trust.org + "'");
  bool unchanged = false;
  if (state.version > 0) {
    if (payload->version < state.version)
      return reject(Rejection::rollback, "version " + std::to_string(payload->version) + " is older than version " +
                                             std::to_string(state.version) + " already in force");
    if (payload->version == state.version) {
      if (hash != state.payload_sha256)
        return reject(Rejection::same_version_changed, "version " + std::to_string(payload->version) +
                                                           " is already in force with different content");
      unchanged = true;
    }
  }
  if (payload->issued_at > opts.now_s + opts.max_skew_s)
    return reject(Rejection::future_dated, "issued at " + utc_time(payload->issued_at) +
                                               ", in the future (check this machine's clock)");
  if (opts.now_s >= payload->expires_at && !(opts.allow_grace && opts.now_s < payload->expires_at + payload->grace_s))
    return reject(Rejection::expired, "version " + std::to_string(payload->version) + " expired at " +
                                          utc_time(payload->expires_at) + "; ask IT to publish a current bundle");

  auto parsed = payload->policy_format == "json"
                    ? config::parse_policy_json(payload->policy_text, "bundle v" + std::to_string(payload->version))
                    : config::parse_policy(payload->policy_text, "bundle v" + std::to_string(payload->version));
  if (!parsed) return reject(Rejection::invalid_policy, "its policy is invalid:\n" + parsed.error().message);

  VerifiedBundle out;
  out.payload = std::move(*payload);
  out.payload_sha256 = hash;
  out.signer_key_ids.assign(valid_signers.begin(), valid_signers.end());
  out.policy = std::move(*parsed);
  out.unchanged = unchanged;
  out.next_state = {out.payload.version, hash, serial, std::move(revoked)};
  return out;
}

}  // namespace gw::policy
