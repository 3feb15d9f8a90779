#pragma once
// Admin API v1 (docs/admin-api.md): JSON over the central's HTTP(S) under /v1/admin/. Every
// route is declared once in the route table (admin_routes.cpp) with the roles it admits; the one
// dispatcher authenticates the bearer token (constant-time hash compare), checks the role
// (401 unknown token, 403 wrong role), runs the handler, and writes an audit event of kind
// "admin" for every write (done or refused) and every refusal by role. Handlers live in one
// file per resource: admin_keys.cpp, admin_teams.cpp, admin_reports.cpp, admin_publish.cpp.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/common/clock.hpp"
#include "core/storage/stores.hpp"
#include "server/admin_config.hpp"
#include "server/server_config.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace gw::server {

class PolicyDistribution;

// One authenticated call, as a handler sees it.
struct AdminCall {
  const httplib::Request& req;
  const AdminToken& token;
  std::vector<std::string> params;  // the :placeholders of the route, in order
};

// What a handler answers: status and JSON body, plus what the audit event names as the target.
struct AdminReply {
  int status = 200;
  nlohmann::json body;
  std::string target;  // e.g. "key:alice"; empty: none
};

// {"error":{"code":code,"message":message}} with `status`.
AdminReply admin_error(int status, std::string_view code, const std::string& message);
// Maps a store error: not_found 404, denied (conflict) 409, invalid_argument 400, else 503.
AdminReply admin_store_error(const Error& e);

class AdminApi {
public:
  // All references must outlive the API. policy may be null (publishing then answers 404).
  AdminApi(const ServerConfig& config, storage::Stores& stores, PolicyDistribution* policy, const Clock& clock);
  // Registers the dispatcher for GET/POST/PATCH/DELETE /v1/admin/...
  void add_routes(httplib::Server& server);

  // Handlers (one per route; see the table in admin_routes.cpp).
  AdminReply whoami(AdminCall& c);
  AdminReply list_keys(AdminCall& c);
  AdminReply get_key(AdminCall& c);
  AdminReply create_key(AdminCall& c);
  AdminReply update_key(AdminCall& c);
  AdminReply rotate_key(AdminCall& c);
  AdminReply revoke_key(AdminCall& c);
  AdminReply delete_key(AdminCall& c);
  AdminReply list_teams(AdminCall& c);
  AdminReply get_team(AdminCall& c);
  AdminReply create_team(AdminCall& c);
  AdminReply update_team(AdminCall& c);
  AdminReply delete_team(AdminCall& c);
  AdminReply spend(AdminCall& c);
  AdminReply audit(AdminCall& c);
  AdminReply publish(AdminCall& c);

private:
  void dispatch(const httplib::Request& req, httplib::Response& res);
  // Writes the "admin" audit event (never a secret); failures are logged, not fatal.
  void record(const std::string& actor, std::string_view role, std::string_view action, const std::string& target,
              int status, const std::string& reason);
  const ServerConfig& m_config;
  storage::Stores& m_stores;
  PolicyDistribution* m_policy;
  const Clock& m_clock;
};

}  // namespace gw::server
