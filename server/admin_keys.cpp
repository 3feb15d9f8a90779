// Admin API: virtual keys (list, show, create with the secret shown once, update, rotate,
// revoke, delete).
#include <httplib.h>

#include "core/common/crypto.hpp"
#include "server/admin_api.hpp"
#include "server/admin_json.hpp"

namespace gw::server {
using nlohmann::json;

namespace {

// The request body as a JSON object, or the 400 that says why not.
std::optional<AdminReply> parse_body(const httplib::Request& req, json& out, bool empty_ok) {
  if (req.body.empty() && empty_ok) {
    out = json::object();
    return std::nullopt;
  }
  out = json::parse(req.body, nullptr, false);
  if (out.is_discarded()) return admin_error(400, "invalid_json", "the request body is not valid JSON");
  if (!out.is_object()) return admin_error(400, "invalid_request", "the request body must be a JSON object");
  return std::nullopt;
}

// Takes "if_revision" out of a body: nullopt when absent; a 400 when not a non-negative integer.
std::optional<AdminReply> take_if_revision(json& body, std::optional<uint64_t>& out) {
  auto it = body.find("if_revision");
  if (it == body.end()) return std::nullopt;
  if (!it->is_number_unsigned()) return admin_error(400, "invalid_request", "if_revision: must be a non-negative integer (the record's \"revision\")");
  out = it->get<uint64_t>();
  body.erase(it);
  return std::nullopt;
}

std::optional<AdminReply> check_id(const std::string& id, const char* what) {
  if (valid_admin_id(id)) return std::nullopt;
  return admin_error(400, "invalid_request", std::string(what) + " id '" + id +
                                                 "' is invalid: use 1-64 letters, digits, _ - . @");
}

std::string secret_hash(const std::string& secret) { return "sha256:" + sha256_hex(secret); }

}  // namespace

AdminReply AdminApi::whoami(AdminCall& c) {
  return {200, json{{"token", c.token.id}, {"role", to_string(c.token.role)}}, ""};
}

AdminReply AdminApi::list_keys(AdminCall& c) {
  storage::KeyFilter f;
  for (const auto& [name, value] : c.req.params) {
    if (name == "team") f.team = value;
    else if (name == "include_revoked") {
      if (value != "true" && value != "false")
        return admin_error(400, "invalid_request", "include_revoked: must be true or false, got '" + value + "'");
      f.include_revoked = value == "true";
    } else {
      return admin_error(400, "invalid_request", "unknown query parameter '" + name + "' (known: team, include_revoked)");
    }
  }
  auto keys = m_stores.keys->list_keys(f);
  if (!keys) return admin_store_error(keys.error());
  json out = json::array();
  int64_t now = m_clock.now_ms();
  for (const auto& k : *keys) out.push_back(key_to_json(k, now));
  return {200, json{{"keys", out}}, ""};
}

AdminReply AdminApi::get_key(AdminCall& c) {
  auto k = m_stores.keys->get_key(c.params[0]);
  if (!k) return admin_store_error(k.error());
  if (!*k) return admin_error(404, "not_found", "no key '" + c.params[0] + "'");
  return {200, key_to_json(**k, m_clock.now_ms()), ""};
}

AdminReply AdminApi::create_key(AdminCall& c) {
  json body;
  if (auto bad = parse_body(c.req, body, false)) return *bad;
  auto id_it = body.find("id");
  if (id_it == body.end() || !id_it->is_string())
    return admin_error(400, "invalid_request", "id: required, a string (the key's name, e.g. \"alice\")");
  std::string id = id_it->get<std::string>();
  body.erase("id");
  if (auto bad = check_id(id, "key")) return *bad;
  storage::KeyRecord rec;
  if (auto st = decode_key_body(body, id, rec.key); !st) {
    auto r = admin_error(400, "invalid_request", st.error().message);
    r.target = "key:" + id;
    return r;
  }
  std::string secret = new_key_secret();
  rec.key.secret_hash = secret_hash(secret);
  rec.created_at_ms = rec.updated_at_ms = m_clock.now_ms();
  auto created = m_stores.keys->create_key(rec);
  AdminReply reply;
  if (!created) reply = admin_store_error(created.error());
  else {
    json out = key_to_json(*created, m_clock.now_ms());
    out["secret"] = secret;  // shown once; only its hash is stored
    reply = {201, out, ""};
  }
  reply.target = "key:" + id;
  return reply;
}

AdminReply AdminApi::update_key(AdminCall& c) {
  const std::string& id = c.params[0];
  json patch;
  if (auto bad = parse_body(c.req, patch, false)) return *bad;
  std::optional<uint64_t> if_revision;
  if (auto bad = take_if_revision(patch, if_revision)) return *bad;
  if (patch.contains("id")) return admin_error(400, "invalid_request", "id: cannot be changed; create a new key instead");
  auto existing = m_stores.keys->get_key(id);
  if (!existing) return admin_store_error(existing.error());
  if (!*existing) return admin_error(404, "not_found", "no key '" + id + "'");
  json merged = key_body((*existing)->key);
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it->is_null()) merged.erase(it.key());  // null clears (expires, team)
    else merged[it.key()] = it.value();
  }
  storage::KeyRecord rec;
  AdminReply reply;
  if (auto st = decode_key_body(merged, id, rec.key); !st) reply = admin_error(400, "invalid_request", st.error().message);
  else {
    rec.updated_at_ms = m_clock.now_ms();
    auto updated = m_stores.keys->update_key(rec, if_revision);
    reply = updated ? AdminReply{200, key_to_json(*updated, m_clock.now_ms()), ""} : admin_store_error(updated.error());
  }
  reply.target = "key:" + id;
  return reply;
}

AdminReply AdminApi::rotate_key(AdminCall& c) {
  const std::string& id = c.params[0];
  json body;
  AdminReply reply;
  if (auto bad = parse_body(c.req, body, true)) reply = *bad;
  else if (!body.empty()) reply = admin_error(400, "invalid_request", "rotate takes no fields (got '" + body.begin().key() + "')");
  else {
    std::string secret = new_key_secret();
    auto rotated = m_stores.keys->rotate_key(id, secret_hash(secret), m_clock.now_ms());
    if (!rotated) reply = admin_store_error(rotated.error());
    else {
      json out = key_to_json(*rotated, m_clock.now_ms());
      out["secret"] = secret;  // the new secret, shown once; the old one stopped working
      reply = {200, out, ""};
    }
  }
  reply.target = "key:" + id;
  return reply;
}

AdminReply AdminApi::revoke_key(AdminCall& c) {
  const std::string& id = c.params[0];
  json body;
  AdminReply reply;
  std::string reason;
  if (auto bad = parse_body(c.req, body, true)) reply = *bad;
  else {
    for (auto it = body.begin(); it != body.end(); ++it)
      if (it.key() != "reason") reply = admin_error(400, "invalid_request", "unknown field '" + it.key() + "' (known: reason)");
    if (body.contains("reason") && !body["reason"].is_string())
      reply = admin_error(400, "invalid_request", "reason: must be a string");
    else if (body.contains("reason"))
      reason = body["reason"].get<std::string>();
    if (reply.body.is_null()) {
      auto revoked = m_stores.keys->revoke_key(id, c.token.id, reason, m_clock.now_ms());
      reply = revoked ? AdminReply{200, key_to_json(*revoked, m_clock.now_ms()), ""} : admin_store_error(revoked.error());
    }
  }
  reply.target = "key:" + id;
  return reply;
}

AdminReply AdminApi::delete_key(AdminCall& c) {
  const std::string& id = c.params[0];
  auto st = m_stores.keys->delete_key(id);
  AdminReply reply = st ? AdminReply{200, json{{"deleted", id}}, ""} : admin_store_error(st.error());
  reply.target = "key:" + id;
  return reply;
}

}  // namespace gw::server
