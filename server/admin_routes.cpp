// The Admin API's route table and dispatcher: the single place where routes, roles and the
// audit of admin actions are decided.
#include <httplib.h>

#include "core/common/crypto.hpp"
#include "core/common/ids.hpp"
#include "core/common/log.hpp"
#include "server/admin_api.hpp"

namespace gw::server {
using nlohmann::json;

namespace {

using Handler = AdminReply (AdminApi::*)(AdminCall&);

constexpr unsigned bit(AdminRole r) { return 1u << static_cast<unsigned>(r); }
constexpr unsigned k_admin = bit(AdminRole::admin);
constexpr unsigned k_any = k_admin | bit(AdminRole::viewer) | bit(AdminRole::auditor) | bit(AdminRole::policy_author);
constexpr unsigned k_audit = k_admin | bit(AdminRole::auditor);
constexpr unsigned k_publish = k_admin | bit(AdminRole::policy_author);

struct Route {
  const char* method;
  const char* path;    // segments after /v1/admin/; ":x" matches one segment
  const char* action;  // audit/action name
  unsigned roles;      // roles admitted
  bool write;          // writes are audited whatever their outcome
  Handler handler;
};

// Every Admin API route. Changing a role here changes docs/admin-api.md's table too.
const Route k_routes[] = {
    {"GET", "whoami", "whoami", k_any, false, &AdminApi::whoami},
    {"GET", "keys", "keys.list", k_any, false, &AdminApi::list_keys},
    {"POST", "keys", "keys.create", k_admin, true, &AdminApi::create_key},
    {"GET", "keys/:id", "keys.show", k_any, false, &AdminApi::get_key},
    {"PATCH", "keys/:id", "keys.update", k_admin, true, &AdminApi::update_key},
    {"DELETE", "keys/:id", "keys.delete", k_admin, true, &AdminApi::delete_key},
    {"POST", "keys/:id/rotate", "keys.rotate", k_admin, true, &AdminApi::rotate_key},
    {"POST", "keys/:id/revoke", "keys.revoke", k_admin, true, &AdminApi::revoke_key},
    {"GET", "teams", "teams.list", k_any, false, &AdminApi::list_teams},
    {"POST", "teams", "teams.create", k_admin, true, &AdminApi::create_team},
    {"GET", "teams/:id", "teams.show", k_any, false, &AdminApi::get_team},
    {"PATCH", "teams/:id", "teams.update", k_admin, true, &AdminApi::update_team},
    {"DELETE", "teams/:id", "teams.delete", k_admin, true, &AdminApi::delete_team},
    {"GET", "spend", "spend.report", k_any, false, &AdminApi::spend},
    {"GET", "audit", "audit.query", k_audit, false, &AdminApi::audit},
    {"POST", "policy/bundles", "policy.publish", k_publish, true, &AdminApi::publish},
};

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The route matching method and path segments (params filled), or null. `path_known` tells
// whether some route has this path with another method (405 rather than 404).
const Route* match(const std::string& method, const std::vector<std::string>& segs, std::vector<std::string>& params,
                   bool& path_known) {
  for (const auto& r : k_routes) {
    auto pattern = split_path(r.path);
    if (pattern.size() != segs.size()) continue;
    std::vector<std::string> found;
    bool ok = true;
    for (size_t i = 0; i < pattern.size() && ok; ++i) {
      if (pattern[i].starts_with(':'))
        ok = !segs[i].empty(), found.push_back(segs[i]);
      else
        ok = pattern[i] == segs[i];
    }
    if (!ok) continue;
    path_known = true;
    if (method == r.method) {
      params = std::move(found);
      return &r;
    }
  }
  return nullptr;
}

std::string roles_text(unsigned roles) {
  std::string out;
  for (AdminRole r : {AdminRole::admin, AdminRole::policy_author, AdminRole::auditor, AdminRole::viewer})
    if (roles & bit(r)) out += (out.empty() ? "" : " or ") + std::string(to_string(r));
  return out;
}

}  // namespace

AdminReply admin_error(int status, std::string_view code, const std::string& message) {
  return {status, json{{"error", {{"code", code}, {"message", message}}}}, ""};
}

AdminReply admin_store_error(const Error& e) {
  switch (e.code) {
    case Errc::not_found: return admin_error(404, "not_found", e.message);
    case Errc::denied: return admin_error(409, "conflict", e.message);
    case Errc::invalid_argument: return admin_error(400, "invalid_request", e.message);
    default:
      log::write(log::Level::error, "admin store error", {{"error", e.message}});
      return admin_error(503, "store_unavailable", "the central store failed: " + e.message + "; retry later");
  }
}

AdminApi::AdminApi(const ServerConfig& config, storage::Stores& stores, PolicyDistribution* policy, const Clock& clock)
    : m_config(config), m_stores(stores), m_policy(policy), m_clock(clock) {}

void AdminApi::add_routes(httplib::Server& s) {
  auto h = [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res); };
  s.Get("/v1/admin/.*", h);
  s.Post("/v1/admin/.*", h);
  s.Patch("/v1/admin/.*", h);
  s.Delete("/v1/admin/.*", h);
}

void AdminApi::dispatch(const httplib::Request& req, httplib::Response& res) {
  auto send = [&](const AdminReply& r) {
    res.status = r.status;
    res.set_content(r.body.dump(), "application/json");
  };
  std::string_view path(req.path);
  path.remove_prefix(std::string_view("/v1/admin/").size());
  std::vector<std::string> params;
  bool path_known = false;
  const Route* route = match(req.method, split_path(path), params, path_known);
  // Authentication first, whatever the route: an unauthenticated caller learns nothing about
  // which routes exist.
  std::string auth = req.get_header_value("Authorization");
  const AdminToken* token = nullptr;
  if (auth.starts_with("Bearer ")) {
    std::string hash = "sha256:" + sha256_hex(std::string_view(auth).substr(7));
    for (const auto& t : m_config.admin.tokens)  // every hash compared, no early exit
      if (constant_time_equal(hash, t.secret_hash) && !token) token = &t;
  }
  std::string action = route ? route->action : req.method + " " + req.path;
  if (!token) {
    if (route && route->write) record("", "", action, "", 401, "missing or unknown admin token");
    return send(admin_error(401, "unauthorized",
                            m_config.admin.tokens.empty()
                                ? "the Admin API is off: no [admin.tokens] in server.toml; add a token (see docs/admin-api.md)"
                                : "missing or unknown admin token (Authorization: Bearer <token>); tokens are "
                                  "configured under [admin.tokens] of server.toml"));
  }
  if (!route) {
    if (path_known)
      return send(admin_error(405, "method_not_allowed", req.method + " is not allowed on " + req.path));
    return send(admin_error(404, "no_such_route", "no Admin API route " + req.method + " " + req.path +
                                                      "; see docs/admin-api.md for the routes"));
  }
  if (!(route->roles & bit(token->role))) {
    std::string why = "token '" + token->id + "' has role " + std::string(to_string(token->role)) + "; " +
                      route->action + " needs " + roles_text(route->roles);
    record(token->id, to_string(token->role), route->action, params.empty() ? "" : params[0], 403, why);
    return send(admin_error(403, "forbidden", why));
  }
  std::string_view act(route->action);
  if (!m_stores.keys && (act.starts_with("keys.") || act.starts_with("teams.")))
    return send(admin_error(503, "store_unavailable",
                            "the key directory is not available with this storage driver yet; use driver = \"sqlite\""));
  AdminCall call{req, *token, std::move(params)};
  AdminReply reply;
  try {
    reply = (this->*route->handler)(call);
  } catch (const std::exception& e) {
    log::write(log::Level::error, "admin handler failed", {{"action", route->action}, {"error", e.what()}});
    reply = admin_error(500, "internal", "the server failed while handling " + std::string(route->action));
  }
  if (route->write) {
    std::string reason;
    if (reply.status >= 400 && reply.body.contains("error")) reason = reply.body["error"].value("message", "");
    record(token->id, to_string(token->role), route->action, reply.target, reply.status, reason);
  }
  send(reply);
}

void AdminApi::record(const std::string& actor, std::string_view role, std::string_view action,
                      const std::string& target, int status, const std::string& reason) {
  int64_t now = m_clock.now_ms();
  json ev = {{"v", 1},           {"record", "event"},   {"kind", "admin"},  {"id", uuid_v7(now)},
             {"time_ms", now},   {"device_id", "central"}, {"source", "central"}, {"actor", actor},
             {"role", role},     {"action", action},    {"target", target}, {"http_status", status},
             {"outcome", status < 400 ? "ok" : (status == 401 || status == 403) ? "refused" : "failed"}};
  if (!reason.empty()) ev["reason"] = reason;
  auto st = m_stores.audit->transact("central", [&](storage::DeviceTxn& t) { return t.insert_event(ev.dump()); });
  if (!st) log::write(log::Level::error, "admin audit event not stored", {{"action", action}, {"error", st.error().message}});
}

}  // namespace gw::server
