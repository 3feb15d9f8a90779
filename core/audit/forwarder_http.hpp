#pragma once
// ShipTransport over HTTP(S) to a central gateway: POST <url>/v1/audit/batches with the
// enrollment token as a bearer token and the device signature header.
#include <memory>
#include <string>

#include "core/audit/forwarder.hpp"

namespace gw::audit {

struct HttpShipOptions {
  std::string url;      // "https://central.example.com:8443" (optionally with a path prefix)
  std::string token;    // the enrollment token; never logged
  std::string ca_file;  // extra CA bundle (PEM); empty: the system's
  int connect_timeout_s = 5;
  int timeout_s = 30;
};

// Errors: invalid_argument when the URL is not http(s)://host[:port][/prefix].
Result<std::unique_ptr<ShipTransport>> make_http_transport(HttpShipOptions opts);

}  // namespace gw::audit
