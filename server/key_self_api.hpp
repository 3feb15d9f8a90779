#pragma once
// GET /v1/keys/self: a device asks the central who it is. Authenticated like every device route
// (device_auth.hpp). Answers (the wire form is core/config/central_key.hpp):
//   200  {"revision": N, "key": {...}}                  the caller's central key record
//   403  {"error": {...}, "revision": N, "key": {...}}  revoked, disabled or expired: the record
//        comes with the refusal so the sidecar can say who revoked it, when and why
//   401  unknown credential; 404 (not_a_key) for an enrollment token, which has no key record
#include <functional>

#include "core/common/result.hpp"
#include "server/device_auth.hpp"

namespace httplib {
class Server;
}

namespace gw::server {

// `auth` must outlive the server; `revision` reads the key directory's current revision.
void add_key_self_route(httplib::Server& server, const DeviceAuth& auth, std::function<Result<uint64_t>()> revision);

}  // namespace gw::server
