// Admin API: teams (list, show, create, update, delete).
#include <httplib.h>

#include "server/admin_api.hpp"
#include "server/admin_json.hpp"

namespace gw::server {
using nlohmann::json;

namespace {

std::optional<AdminReply> parse_object(const std::string& text, json& out) {
  out = json::parse(text, nullptr, false);
  if (out.is_discarded()) return admin_error(400, "invalid_json", "the request body is not valid JSON");
  if (!out.is_object()) return admin_error(400, "invalid_request", "the request body must be a JSON object");
  return std::nullopt;
}

AdminReply targeted(AdminReply r, const std::string& id) {
  r.target = "team:" + id;
  return r;
}

}  // namespace

AdminReply AdminApi::list_teams(AdminCall& c) {
  if (!c.req.params.empty())
    return admin_error(400, "invalid_request", "unknown query parameter '" + c.req.params.begin()->first + "'");
  auto teams = m_stores.keys->list_teams();
  if (!teams) return admin_store_error(teams.error());
  json out = json::array();
  for (const auto& t : *teams) out.push_back(team_to_json(t));
  return {200, json{{"teams", out}}, ""};
}

AdminReply AdminApi::get_team(AdminCall& c) {
  auto t = m_stores.keys->get_team(c.params[0]);
  if (!t) return admin_store_error(t.error());
  if (!*t) return admin_error(404, "not_found", "no team '" + c.params[0] + "'");
  return {200, team_to_json(**t), ""};
}

AdminReply AdminApi::create_team(AdminCall& c) {
  json body;
  if (auto bad = parse_object(c.req.body, body)) return *bad;
  auto id_it = body.find("id");
  if (id_it == body.end() || !id_it->is_string())
    return admin_error(400, "invalid_request", "id: required, a string (the team's name, e.g. \"platform\")");
  std::string id = id_it->get<std::string>();
  body.erase("id");
  if (!valid_admin_id(id))
    return targeted(admin_error(400, "invalid_request", "team id '" + id + "' is invalid: use 1-64 letters, digits, _ - . @"), id);
  storage::TeamRecord rec;
  if (auto st = decode_team_body(body, id, rec); !st)
    return targeted(admin_error(400, "invalid_request", st.error().message), id);
  rec.created_at_ms = rec.updated_at_ms = m_clock.now_ms();
  auto created = m_stores.keys->create_team(rec);
  if (!created) return targeted(admin_store_error(created.error()), id);
  return targeted({201, team_to_json(*created), ""}, id);
}

AdminReply AdminApi::update_team(AdminCall& c) {
  const std::string& id = c.params[0];
  json patch;
  if (auto bad = parse_object(c.req.body, patch)) return targeted(*bad, id);
  std::optional<uint64_t> if_revision;
  if (auto it = patch.find("if_revision"); it != patch.end()) {
    if (!it->is_number_unsigned())
      return targeted(admin_error(400, "invalid_request", "if_revision: must be a non-negative integer"), id);
    if_revision = it->get<uint64_t>();
    patch.erase(it);
  }
  if (patch.contains("id")) return targeted(admin_error(400, "invalid_request", "id: cannot be changed"), id);
  auto existing = m_stores.keys->get_team(id);
  if (!existing) return targeted(admin_store_error(existing.error()), id);
  if (!*existing) return targeted(admin_error(404, "not_found", "no team '" + id + "'"), id);
  json merged = team_body(**existing);
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it->is_null()) merged.erase(it.key());
    else merged[it.key()] = it.value();
  }
  storage::TeamRecord rec;
  if (auto st = decode_team_body(merged, id, rec); !st)
    return targeted(admin_error(400, "invalid_request", st.error().message), id);
  rec.updated_at_ms = m_clock.now_ms();
  auto updated = m_stores.keys->update_team(rec, if_revision);
  if (!updated) return targeted(admin_store_error(updated.error()), id);
  return targeted({200, team_to_json(*updated), ""}, id);
}

AdminReply AdminApi::delete_team(AdminCall& c) {
  const std::string& id = c.params[0];
  auto st = m_stores.keys->delete_team(id);
  if (!st) return targeted(admin_store_error(st.error()), id);
  return targeted({200, json{{"deleted", id}}, ""}, id);
}

}  // namespace gw::server
