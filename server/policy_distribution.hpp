#pragma once
// Policy bundle distribution on the central gateway (docs/policy-signing.md, docs/server.md):
//
//   GET  /v1/policy/bundle  device enrollment token (Bearer). The bundle in force, exact bytes,
//                           with ETag "<sha256 of the bytes>"; If-None-Match -> 304; 404 when
//                           nothing was published yet.
//   POST /v1/policy/bundle  publisher token (Bearer). The body is a bundle; it is verified against
//                           the central's own pinned roots and its published state (strictly newer
//                           version, not expired, valid policy...) before it replaces the one
//                           served. 200 {"version","org"}, or 409/422 with the refusal.
//
// The central is not trusted by the sidecars: they verify every bundle themselves. The central
// verifies too so that a bad publish is refused at once, with a message, rather than by every
// laptop later.
#include <filesystem>
#include <memory>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/policy/bundle.hpp"
#include "core/policy/bundle_store.hpp"
#include "core/policy/trust.hpp"
#include "server/device_auth.hpp"
#include "server/server_config.hpp"

namespace httplib {
class Server;
}

namespace gw::server {

// The answer to a publish: an HTTP status and its JSON body (200 {"version","org","unchanged",
// "etag"}, or {"error":{"code","message"}}).
struct PublishOutcome {
  int status = 200;
  nlohmann::json body;
};

class PolicyDistribution {
public:
  // config and clock must outlive this object.
  PolicyDistribution(const ServerConfig& config, const Clock& clock);
  // Loads the roots and the last published bundle. Errors: unreadable root key files.
  Status open();
  // Device GETs authenticate through `auth` (must outlive the server).
  void add_routes(httplib::Server& server, const DeviceAuth& auth);
  // Verifies `bundle` against the pinned roots and the published state and, when it is accepted
  // and new, installs it as the bundle served. `who` names the publisher in logs and the store.
  // Shared by POST /v1/policy/bundle and the Admin API. Thread-safe.
  PublishOutcome publish(const std::string& bundle, const std::string& who);
  // The policy of the bundle served (what the central's budget leases follow), or nullptr before
  // the first publish. Thread-safe.
  std::shared_ptr<const config::Policy> policy() const;
  // The published bundle re-verified now (for the provider proxy's policy); nullopt when nothing
  // was published or distribution is off. Errors: the stored bundle no longer verifies (expired).
  std::expected<std::optional<policy::VerifiedBundle>, policy::BundleError> current() const;
  // Called (under the publish lock, on the publishing request's thread) after a newer bundle was
  // installed. Set before the server starts.
  void on_publish(std::function<void(const policy::VerifiedBundle&)> fn) { m_on_publish = std::move(fn); }

private:
  const ServerConfig& m_config;
  const Clock& m_clock;
  policy::TrustStore m_trust;
  policy::BundleStore m_store;
  std::function<void(const policy::VerifiedBundle&)> m_on_publish;
  mutable std::mutex m_mutex;  // guards the bytes, etag and policy below
  std::string m_bytes;         // the bundle served
  std::string m_etag;
  std::shared_ptr<const config::Policy> m_policy;  // parsed from m_bytes
};

// The id of the token in `tokens` that `authorization` ("Bearer <token>") carries, or empty.
// Every configured hash is compared in constant time, with no early exit.
std::string authenticate_bearer(const std::vector<EnrollmentToken>& tokens, const std::string& authorization);

}  // namespace gw::server
