#include "server/key_self_api.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

namespace gw::server {
using nlohmann::json;

void add_key_self_route(httplib::Server& server, const DeviceAuth& auth, std::function<Result<uint64_t>()> revision) {
  server.Get("/v1/keys/self", [&auth, revision](const httplib::Request& req, httplib::Response& res) {
    auto caller = auth.authenticate(req.get_header_value("Authorization"));
    uint64_t rev = 0;
    if (revision)
      if (auto r = revision(); r) rev = *r;
    if (!caller) {
      const DeviceAuthError& e = caller.error();
      res.status = e.status;
      json body = {{"error", {{"code", e.code}, {"message", e.message}}}};
      if (e.key) {
        json record = config::to_json(*e.key);
        body["key"] = record["key"];
        body["revision"] = std::max<uint64_t>(rev, e.key->revision);
      }
      res.set_content(body.dump(), "application/json");
      return;
    }
    if (caller->kind != DeviceCaller::Kind::central_key) {
      res.status = 404;
      res.set_content(json{{"error", {{"code", "not_a_key"},
                                      {"message", "this credential is the enrollment token '" + caller->id +
                                                      "', not a central key; it has no key record"}}}}
                          .dump(),
                      "application/json");
      return;
    }
    config::CentralKeyRecord record = *caller->key;
    record.revision = std::max<uint64_t>(rev, record.revision);
    res.set_header("Cache-Control", "no-store");
    res.set_content(config::to_json(record).dump(), "application/json");
  });
}

}  // namespace gw::server
