// Admin API: spend reports and audit queries over the central audit store, and publishing a
// policy bundle (the same verification as POST /v1/policy/bundle).
#include <httplib.h>

#include "core/audit/event.hpp"
#include "server/admin_api.hpp"
#include "server/admin_json.hpp"
#include "server/policy_distribution.hpp"

namespace gw::server {
using nlohmann::json;

namespace {

constexpr size_t k_max_page = 1000;

// Reads since/until; a 400 reply when malformed.
std::optional<AdminReply> read_time(const std::string& name, const std::string& value, int64_t now, int64_t& out) {
  auto t = parse_instant(value, now);
  if (!t)
    return admin_error(400, "invalid_request", name + ": '" + value +
                                                   "' is not a time: use RFC 3339 (2026-11-01 or 2026-11-01T12:00:00Z) "
                                                   "or a duration back from now (30m, 24h, 7d)");
  out = *t;
  return std::nullopt;
}

}  // namespace

AdminReply AdminApi::spend(AdminCall& c) {
  storage::SpendQuery q;
  std::string by = "key";
  int64_t now = m_clock.now_ms();
  for (const auto& [name, value] : c.req.params) {
    if (name == "by") by = value;
    else if (name == "since") { if (auto bad = read_time(name, value, now, q.since_ms)) return *bad; }
    else if (name == "until") { if (auto bad = read_time(name, value, now, q.until_ms)) return *bad; }
    else return admin_error(400, "invalid_request", "unknown query parameter '" + name + "' (known: by, since, until)");
  }
  if (by == "key") q.by = storage::SpendBy::key;
  else if (by == "team") q.by = storage::SpendBy::team;
  else if (by == "model") q.by = storage::SpendBy::model;
  else if (by == "day") q.by = storage::SpendBy::day;
  else return admin_error(400, "invalid_request", "by: must be key, team, model or day, got '" + by + "'");
  auto rows = m_stores.audit->spend(q);
  if (!rows) return admin_store_error(rows.error());
  json out = json::array();
  storage::SpendRow total;
  for (const auto& r : *rows) {
    out.push_back({{by, r.group}, {"requests", r.requests}, {"input_tokens", r.input_tokens},
                   {"output_tokens", r.output_tokens}, {"cost_nano_usd", r.cost_nano_usd},
                   {"cost_usd", static_cast<double>(r.cost_nano_usd) / 1e9}});
    total.requests += r.requests;
    total.input_tokens += r.input_tokens;
    total.output_tokens += r.output_tokens;
    total.cost_nano_usd += r.cost_nano_usd;
  }
  json body = {{"by", by},
               {"since", q.since_ms ? json(q.since_ms) : json(nullptr)},
               {"until", q.until_ms ? json(q.until_ms) : json(nullptr)},
               {"rows", out},
               {"total", {{"requests", total.requests}, {"input_tokens", total.input_tokens},
                          {"output_tokens", total.output_tokens}, {"cost_nano_usd", total.cost_nano_usd},
                          {"cost_usd", static_cast<double>(total.cost_nano_usd) / 1e9}}}};
  return {200, body, ""};
}

AdminReply AdminApi::audit(AdminCall& c) {
  storage::AuditQuery q;
  int64_t now = m_clock.now_ms();
  for (const auto& [name, value] : c.req.params) {
    if (name == "since") { if (auto bad = read_time(name, value, now, q.since_ms)) return *bad; }
    else if (name == "until") { if (auto bad = read_time(name, value, now, q.until_ms)) return *bad; }
    else if (name == "device") q.device = value;
    else if (name == "key") q.key = value;
    else if (name == "user") q.user = value;
    else if (name == "kind") {
      if (value != "admin" && !audit::parse_event_kind(value))
        return admin_error(400, "invalid_request", "kind: must be admitted, completed, denied, alarm, policy_change, gap or admin; got '" + value + "'");
      q.kind = value;
    } else if (name == "decision") {
      if (!audit::parse_decision(value) || value == "none")
        return admin_error(400, "invalid_request", "decision: must be allowed, denied or redacted; got '" + value + "'");
      q.decision = value;
    } else if (name == "after" || name == "limit") {
      if (value.empty() || value.size() > 18 || value.find_first_not_of("0123456789") != std::string::npos)
        return admin_error(400, "invalid_request", name + ": must be a non-negative integer, got '" + value + "'");
      uint64_t n = std::stoull(value);
      if (name == "after") q.after = n;
      else if (n < 1 || n > k_max_page)
        return admin_error(400, "invalid_request", "limit: must be 1.." + std::to_string(k_max_page) + ", got " + value);
      else q.limit = n;
    } else {
      return admin_error(400, "invalid_request", "unknown query parameter '" + name +
                                                     "' (known: since, until, device, key, user, kind, decision, after, limit)");
    }
  }
  auto events = m_stores.audit->query_events(q);
  if (!events) return admin_store_error(events.error());
  json out = json::array();
  for (const auto& e : *events) {
    json ev = json::parse(e.line, nullptr, false);
    out.push_back({{"position", e.position}, {"device_id", e.device_id}, {"epoch", e.epoch},
                   {"seq", e.seq ? json(*e.seq) : json(nullptr)}, {"event", ev.is_discarded() ? json(e.line) : ev}});
  }
  // A full page may have more after it: the caller continues with after=next_after.
  json next = events->size() == q.limit ? json(events->back().position) : json(nullptr);
  return {200, json{{"events", out}, {"next_after", next}}, ""};
}

AdminReply AdminApi::publish(AdminCall& c) {
  AdminReply reply;
  if (!m_policy || !m_config.policy.enabled()) {
    reply = admin_error(404, "policy_disabled", "this central gateway does not distribute policy (no [policy] in server.toml)");
  } else {
    PublishOutcome out = m_policy->publish(c.req.body, "admin token " + c.token.id);
    reply = {out.status, out.body, ""};
    if (out.status == 200) reply.target = "policy:" + out.body.value("version", json()).dump();
  }
  if (reply.target.empty()) reply.target = "policy";
  return reply;
}

}  // namespace gw::server
