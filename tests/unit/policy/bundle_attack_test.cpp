// Each attack on policy bundles is refused with its own reason; a correct rotation is accepted.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "bundle_fixture.hpp"
#include "core/common/crypto.hpp"

using namespace gw;
using namespace gw::policy;
using namespace gw::policy::test;
using nlohmann::json;

namespace {

Rejection refused(std::string_view bytes, const TrustStore& trust, const BundleState& state = {},
                  VerifyOptions opts = at(k_now)) {
  auto v = verify_bundle(bytes, trust, state, opts);
  REQUIRE_FALSE(v.has_value());
  return v.error().reason;
}

// Replaces the payload of a bundle (keeping its signatures).
std::string with_payload(const std::string& bundle, const std::string& payload) {
  json env = json::parse(bundle);
  env["payload"] = base64url(payload);
  return env.dump();
}

std::string payload_of(const std::string& bundle) {
  return *from_base64url(json::parse(bundle)["payload"].get<std::string>());
}

}  // namespace

TEST_CASE("Bundle: a bundle signed by a delegated key verifies and yields its policy") {
  Org org;
  auto v = verify_bundle(org.bundle(3), org.trust, {}, at(k_now));
  INFO((v ? std::string() : v.error().message));
  REQUIRE(v.has_value());
  CHECK(v->payload.version == 3);
  CHECK(v->policy->version == "team-1");
  CHECK(v->signer_key_ids == std::vector<std::string>{org.signing.key_id()});
  CHECK(v->next_state.version == 3);
}

TEST_CASE("Bundle attack: a tampered payload is refused as a bad signature") {
  Org org;
  std::string b = org.bundle(3);
  std::string p = payload_of(b);
  p.replace(p.find("claude-*"), 8, "*");  // widen the allow list
  auto v = verify_bundle(with_payload(b, p), org.trust, {}, at(k_now));
  REQUIRE_FALSE(v);
  CHECK(v.error().reason == Rejection::bad_signature);
  CHECK(v.error().message.find("modified after signing") != std::string::npos);
}

TEST_CASE("Bundle attack: a signature by an unknown key is refused") {
  Org org;
  Ed25519Key stranger = Ed25519Key::generate();
  std::string b = sign_bundle(org.payload(3), {{stranger, std::nullopt}}).value();
  CHECK(refused(b, org.trust) == Rejection::unknown_key);
}

TEST_CASE("Bundle attack: a key certified by another organisation's root is unauthorized") {
  Org org, other("evil");
  // other's signing key with other's certificate: not signed by a root this machine pins.
  std::string b = sign_bundle(org.payload(3), {{other.signing, other.cert}}).value();
  auto v = verify_bundle(b, org.trust, {}, at(k_now));
  REQUIRE_FALSE(v);
  CHECK(v.error().reason == Rejection::unauthorized_key);
  CHECK(v.error().message.find("not authorized") != std::string::npos);
}

TEST_CASE("Bundle attack: a key whose certificate expired is unauthorized") {
  Org org;
  auto late = at(k_now + 91 * 86400);
  BundlePayload p = org.payload(3);
  p.issued_at = late.now_s;
  p.expires_at = late.now_s + 86400;
  std::string b = sign_bundle(p, {{org.signing, org.cert}}).value();
  auto v = verify_bundle(b, org.trust, {}, late);
  REQUIRE_FALSE(v);
  CHECK(v.error().reason == Rejection::unauthorized_key);
  CHECK(v.error().message.find("certificate expired") != std::string::npos);
}

TEST_CASE("Bundle attack: a signature by a revoked key is refused, even when a later bundle omits the list") {
  Org org;
  RevocationList list{"acme", 1, k_now, {org.signing.key_id()}};
  SignedDoc revs = issue_revocations(list, org.root).value();
  std::string b = sign_bundle(org.payload(3), {{org.signing, org.cert}}, revs).value();
  CHECK(refused(b, org.trust) == Rejection::revoked_key);
  // A machine that learnt the revocation remembers it.
  BundleState remembered;
  remembered.revoked = {org.signing.key_id()};
  CHECK(refused(org.bundle(4), org.trust, remembered) == Rejection::revoked_key);
}

TEST_CASE("Bundle attack: a revocation list not signed by a root is refused") {
  Org org;
  RevocationList list{"acme", 1, k_now, {}};
  SignedDoc forged = issue_revocations(list, org.signing).value();  // a signing key is not a root
  std::string b = sign_bundle(org.payload(3), {{org.signing, org.cert}}, forged).value();
  CHECK(refused(b, org.trust) == Rejection::bad_signature);
}

TEST_CASE("Bundle attack: rollback to an older version is refused") {
  Org org;
  auto v5 = verify_bundle(org.bundle(5), org.trust, {}, at(k_now)).value();
  auto v = verify_bundle(org.bundle(4), org.trust, v5.next_state, at(k_now));
  REQUIRE_FALSE(v);
  CHECK(v.error().reason == Rejection::rollback);
  CHECK(v.error().message.find("version 4 is older than version 5") != std::string::npos);
}

TEST_CASE("Bundle attack: the same version with different content is refused; identical bytes are 'unchanged'") {
  Org org;
  auto v5 = verify_bundle(org.bundle(5), org.trust, {}, at(k_now)).value();
  std::string other = sign_bundle(org.payload(5, std::string(k_valid_policy) + "\n# edited\n"), {{org.signing, org.cert}}).value();
  CHECK(refused(other, org.trust, v5.next_state) == Rejection::same_version_changed);
  // Re-signing produces the same payload bytes: accepted as unchanged.
  auto again = verify_bundle(org.bundle(5), org.trust, v5.next_state, at(k_now));
  REQUIRE(again);
  CHECK(again->unchanged);
}

TEST_CASE("Bundle attack: another organisation's bundle is refused") {
  Org org;
  Org other("globex");
  TrustStore both = org.trust;  // even a machine that pinned both roots keeps its own org id
  both.roots.emplace(other.root.key_id(), Ed25519Key::from_public(other.root.public_raw()).value());
  BundlePayload p = other.payload(3);
  std::string b = sign_bundle(p, {{other.root, std::nullopt}}).value();
  auto v = verify_bundle(b, both, {}, at(k_now));
  REQUIRE_FALSE(v);
  CHECK(v.error().reason == Rejection::wrong_org);
  CHECK(v.error().message.find("'globex'") != std::string::npos);
}

TEST_CASE("Bundle attack: an expired bundle is refused; a cached copy lives until the grace ends") {
  Org org;
  std::string b = org.bundle(3);
  int64_t after = k_now + 8 * 86400;  // expired a day ago, grace is 3 days
  CHECK(refused(b, org.trust, {}, at(after)) == Rejection::expired);
  VerifyOptions cached = at(after);
  cached.allow_grace = true;
  CHECK(verify_bundle(b, org.trust, {}, cached).has_value());
  cached.now_s = k_now + 11 * 86400;  // past expiry + grace
  CHECK(refused(b, org.trust, {}, cached) == Rejection::expired);
}

TEST_CASE("Bundle attack: a bundle dated in the future beyond the skew is refused") {
  Org org;
  BundlePayload p = org.payload(3);
  p.issued_at = k_now + 3600;
  std::string b = sign_bundle(p, {{org.signing, org.cert}}).value();
  CHECK(refused(b, org.trust) == Rejection::future_dated);
  p.issued_at = k_now + 120;  // within the 5 minute skew
  CHECK(verify_bundle(sign_bundle(p, {{org.signing, org.cert}}).value(), org.trust, {}, at(k_now)).has_value());
}

TEST_CASE("Bundle attack: a truncated bundle is refused as malformed") {
  Org org;
  std::string b = org.bundle(3);
  for (size_t cut : {b.size() / 3, b.size() / 2, b.size() - 5}) CHECK(refused(b.substr(0, cut), org.trust) == Rejection::malformed);
}

TEST_CASE("Bundle attack: an oversized bundle is refused before it is parsed") {
  Org org;
  std::string huge(k_max_bundle_bytes + 1, ' ');
  auto v = verify_bundle(huge, org.trust, {}, at(k_now));
  REQUIRE_FALSE(v);
  CHECK(v.error().reason == Rejection::oversized);
}

TEST_CASE("Bundle attack: a valid signature over an invalid policy is refused with the policy's errors") {
  Org org;
  std::string b = sign_bundle(org.payload(3, "version = 1\nbogus_key = true\n"), {{org.signing, org.cert}}).value();
  auto v = verify_bundle(b, org.trust, {}, at(k_now));
  REQUIRE_FALSE(v);
  CHECK(v.error().reason == Rejection::invalid_policy);
  CHECK(v.error().message.find("bundle v3:") != std::string::npos);
}

TEST_CASE("Bundle attack: a certificate signature replayed as a bundle signature is refused") {
  Org org;
  // The root signed a certificate; try to use that signature over the same bytes as a bundle.
  SignedDoc doc;
  doc.type = std::string(k_type_bundle);
  doc.payload = org.cert.payload;
  doc.signatures = org.cert.signatures;
  CHECK(refused(to_json(doc).dump(), org.trust) == Rejection::bad_signature);
}

TEST_CASE("Bundle: a correct key rotation is accepted without touching the machine's trust") {
  Org org;
  auto v5 = verify_bundle(org.bundle(5), org.trust, {}, at(k_now)).value();
  // IT certifies a new signing key and revokes the old one in the same bundle.
  Ed25519Key next = Ed25519Key::generate();
  SignedDoc next_cert =
      issue_key_cert({"acme", Ed25519Key::from_public(next.public_raw()).value(), k_now - 60, k_now + 90 * 86400}, org.root).value();
  SignedDoc revs = issue_revocations({"acme", 1, k_now, {org.signing.key_id()}}, org.root).value();
  std::string b6 = sign_bundle(org.payload(6), {{next, next_cert}}, revs).value();
  auto v6 = verify_bundle(b6, org.trust, v5.next_state, at(k_now));
  REQUIRE(v6.has_value());
  CHECK(v6->signer_key_ids == std::vector<std::string>{next.key_id()});
  CHECK(v6->next_state.revoked.contains(org.signing.key_id()));
  // The old key can no longer sign, even for a newer version.
  CHECK(refused(org.bundle(7), org.trust, v6->next_state) == Rejection::revoked_key);
}

TEST_CASE("Bundle: a threshold of two requires two distinct valid signers") {
  Org org;
  TrustStore two = org.trust;
  two.threshold = 2;
  CHECK(refused(org.bundle(3), two) == Rejection::not_enough_signatures);
  std::string b = sign_bundle(org.payload(3), {{org.signing, org.cert}, {org.root, std::nullopt}}).value();
  CHECK(verify_bundle(b, two, {}, at(k_now)).has_value());
}
