#include "server/admin_json.hpp"

#include <cmath>

#include "core/common/crypto.hpp"
#include "core/common/time_format.hpp"
#include "core/config/policy_decode.hpp"
#include "core/config/policy_reader.hpp"

namespace gw::server {
using nlohmann::json;
using config::detail::Diagnostics;
using config::detail::ObjectReader;

namespace {

json time_or_null(int64_t ms) { return ms ? json(utc_time(ms / 1000)) : json(nullptr); }

double usd(int64_t nano) { return static_cast<double>(nano) / 1e9; }

json budgets_json(const std::vector<config::Budget>& budgets) {
  json out = json::object();
  for (const auto& b : budgets)
    out[b.name] = {{"usd", usd(b.amount_nano_usd)}, {"period", config::to_string(b.period)},
                   {"window", config::to_string(b.window)}};
  return out;
}

json limits_json(const config::RateLimits& l) {
  return {{"requests_per_minute", l.requests_per_minute}, {"tokens_per_minute", l.tokens_per_minute},
          {"concurrent", l.concurrent}};
}

void check_budgets(const std::vector<config::Budget>& budgets, Diagnostics& diag) {
  for (size_t i = 0; i < budgets.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (budgets[i].period == budgets[j].period && budgets[i].window == budgets[j].window)
        diag.error(config::detail::path_key("budgets", budgets[i].name),
                   "covers the same period as budget '" + budgets[j].name + "'; use one budget per period");
}

void check_globs(const std::vector<std::string>& list, const std::string& field, Diagnostics& diag) {
  for (size_t i = 0; i < list.size(); ++i)
    if (auto p = config::detail::glob_problem(list[i]); !p.empty())
      diag.error(config::detail::path_index(field, i), p);
}

}  // namespace

bool valid_admin_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' && c != '@') return false;
  return true;
}

json key_body(const config::VirtualKey& k) {
  json j = {{"owner", k.owner},
            {"team", k.team},
            {"enabled", k.enabled},
            {"providers", k.access.providers},
            {"models", k.access.models},
            {"deny_models", k.access.deny_models},
            {"budgets", budgets_json(k.budgets)},
            {"limits", limits_json(k.limits)}};
  if (k.expires_at_ms) j["expires"] = utc_time(*k.expires_at_ms / 1000);
  return j;
}

json key_to_json(const storage::KeyRecord& r, int64_t now_ms) {
  json j = key_body(r.key);
  j["id"] = r.key.id;
  j["expires"] = r.key.expires_at_ms ? json(utc_time(*r.key.expires_at_ms / 1000)) : json(nullptr);
  j["status"] = r.revoked()                                              ? "revoked"
                : (r.key.expires_at_ms && *r.key.expires_at_ms <= now_ms) ? "expired"
                : !r.key.enabled                                          ? "disabled"
                                                                          : "active";
  j["created_at"] = time_or_null(r.created_at_ms);
  j["updated_at"] = time_or_null(r.updated_at_ms);
  j["rotated_at"] = time_or_null(r.rotated_at_ms);
  j["revoked_at"] = r.revoked_at_ms ? json(utc_time(*r.revoked_at_ms / 1000)) : json(nullptr);
  if (r.revoked()) {
    j["revoked_by"] = r.revoked_by;
    j["revoke_reason"] = r.revoke_reason;
  }
  j["revision"] = r.revision;
  return j;
}

json team_body(const storage::TeamRecord& t) {
  return {{"description", t.description}, {"budgets", budgets_json(t.budgets)}, {"limits", limits_json(t.limits)}};
}

json team_to_json(const storage::TeamRecord& t) {
  json j = team_body(t);
  j["id"] = t.id;
  j["created_at"] = time_or_null(t.created_at_ms);
  j["updated_at"] = time_or_null(t.updated_at_ms);
  j["revision"] = t.revision;
  return j;
}

Status decode_key_body(const json& body, const std::string& id, config::VirtualKey& out) {
  config::detail::SourceDoc doc{"request body", body, {}};
  Diagnostics diag(doc);
  if (body.is_object()) {
    for (const char* f : {"secret", "secret_hash"})
      if (body.contains(f))
        diag.error(f, "is set by the server (the secret is returned once at creation; use the rotate route for a new one)");
  }
  json clean = body.is_object() ? body : json::object();
  clean.erase("secret");
  clean.erase("secret_hash");
  out = config::detail::decode_key(clean, id, "", diag, false);
  if (!out.team.empty() && !valid_admin_id(out.team)) diag.error("team", "invalid team id '" + out.team + "'");
  check_globs(out.access.models, "models", diag);
  check_globs(out.access.deny_models, "deny_models", diag);
  check_budgets(out.budgets, diag);
  if (!diag.ok()) return fail(Errc::invalid_argument, diag.text());
  return {};
}

Status decode_team_body(const json& body, const std::string& id, storage::TeamRecord& out) {
  config::detail::SourceDoc doc{"request body", body, {}};
  Diagnostics diag(doc);
  ObjectReader r(body, "", diag);
  out.id = id;
  if (r.valid()) {
    if (auto d = r.string("description")) out.description = *d;
    out.budgets = config::detail::decode_budgets(r, diag);
    out.limits = config::detail::decode_limits(r, diag);
    r.finish();
  }
  check_budgets(out.budgets, diag);
  if (!diag.ok()) return fail(Errc::invalid_argument, diag.text());
  return {};
}

std::optional<int64_t> parse_instant(const std::string& text, int64_t now_ms) {
  if (text.size() >= 2 && std::isdigit(static_cast<unsigned char>(text[0])) && text.find('-') == std::string::npos) {
    char unit = text.back();
    std::string digits = text.substr(0, text.size() - 1);
    if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) return std::nullopt;
    int64_t n = std::stoll(digits);
    int64_t ms = unit == 'm' ? 60'000 : unit == 'h' ? 3'600'000 : unit == 'd' ? 86'400'000 : 0;
    if (!ms) return std::nullopt;
    return now_ms - n * ms;
  }
  return config::detail::parse_rfc3339_ms(text);
}

std::string new_key_secret() { return "gwk_" + to_hex(random_bytes(32)); }

}  // namespace gw::server
