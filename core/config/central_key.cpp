#include "core/config/central_key.hpp"

#include "core/common/time_format.hpp"

namespace gw::config {
using nlohmann::json;

namespace {

std::optional<Period> period_named(const std::string& s) {
  for (Period p : {Period::hour, Period::day, Period::week, Period::month, Period::quarter, Period::year})
    if (to_string(p) == s) return p;
  return std::nullopt;
}

Status need(bool ok, const std::string& field, const std::string& what) {
  if (ok) return {};
  return fail(Errc::invalid_argument, "key record: " + field + " " + what);
}

}  // namespace

json to_json(const CentralKeyRecord& r) {
  json budgets = json::array();
  for (const auto& b : r.budgets)
    budgets.push_back({{"name", b.name}, {"amount_nano_usd", b.amount_nano_usd}, {"period", to_string(b.period)},
                       {"window", to_string(b.window)}});
  json key = {{"id", r.id}, {"owner", r.owner}, {"team", r.team}, {"providers", r.providers}, {"models", r.models},
              {"deny_models", r.deny_models}, {"budgets", budgets},
              {"limits", {{"requests_per_minute", r.limits.requests_per_minute},
                          {"tokens_per_minute", r.limits.tokens_per_minute},
                          {"concurrent", r.limits.concurrent}}},
              {"enabled", r.enabled}, {"expires_at_ms", r.expires_at_ms ? json(*r.expires_at_ms) : json(nullptr)},
              {"revoked", r.revoked}, {"revoked_reason", r.revoked_reason}, {"revoked_by", r.revoked_by},
              {"revoked_at_ms", r.revoked_at_ms}};
  return {{"revision", r.revision}, {"key", key}};
}

Result<CentralKeyRecord> central_key_from_json(const json& j) {
  GW_CHECK(need(j.is_object(), "the answer", "must be a JSON object"));
  CentralKeyRecord r;
  if (auto rev = j.find("revision"); rev != j.end()) {
    GW_CHECK(need(rev->is_number_integer() && rev->get<int64_t>() >= 0, "\"revision\"", "must be a non-negative integer"));
    r.revision = rev->get<uint64_t>();
  }
  auto k = j.find("key");
  GW_CHECK(need(k != j.end() && k->is_object(), "\"key\"", "must be an object"));
  auto str = [&](const char* name, std::string& out, bool required) -> Status {
    auto f = k->find(name);
    if (f == k->end() || f->is_null()) return need(!required, std::string("key.") + name, "is missing");
    GW_CHECK(need(f->is_string(), std::string("key.") + name, "must be a string"));
    out = f->get<std::string>();
    return {};
  };
  GW_CHECK(str("id", r.id, true));
  GW_CHECK(need(!r.id.empty(), "key.id", "must not be empty"));
  GW_CHECK(str("owner", r.owner, false));
  GW_CHECK(str("team", r.team, false));
  GW_CHECK(str("revoked_reason", r.revoked_reason, false));
  GW_CHECK(str("revoked_by", r.revoked_by, false));
  auto list = [&](const char* name, std::vector<std::string>& out) -> Status {
    auto m = k->find(name);
    if (m == k->end() || m->is_null()) return {};
    GW_CHECK(need(m->is_array(), std::string("key.") + name, "must be an array of strings"));
    for (const auto& g : *m) {
      GW_CHECK(need(g.is_string(), std::string("key.") + name, "must hold strings"));
      out.push_back(g.get<std::string>());
    }
    return {};
  };
  GW_CHECK(list("providers", r.providers));
  GW_CHECK(list("models", r.models));
  GW_CHECK(list("deny_models", r.deny_models));
  if (auto bs = k->find("budgets"); bs != k->end() && !bs->is_null()) {
    GW_CHECK(need(bs->is_array(), "key.budgets", "must be an array"));
    for (const auto& b : *bs) {
      GW_CHECK(need(b.is_object() && b.value("name", json()).is_string() && b.value("amount_nano_usd", json()).is_number_integer(),
                    "key.budgets[]", "needs \"name\" and an integer \"amount_nano_usd\""));
      Budget budget;
      budget.name = b["name"].get<std::string>();
      budget.amount_nano_usd = b["amount_nano_usd"].get<int64_t>();
      GW_CHECK(need(budget.amount_nano_usd >= 0, "key.budgets." + budget.name + ".amount_nano_usd", "must be >= 0"));
      auto p = period_named(b.value("period", "day"));
      GW_CHECK(need(p.has_value(), "key.budgets." + budget.name + ".period", "must be hour, day, week, month, quarter or year"));
      budget.period = *p;
      std::string w = b.value("window", "calendar");
      GW_CHECK(need(w == "calendar" || w == "rolling", "key.budgets." + budget.name + ".window", "must be calendar or rolling"));
      budget.window = w == "calendar" ? Window::calendar : Window::rolling;
      r.budgets.push_back(std::move(budget));
    }
  }
  if (auto l = k->find("limits"); l != k->end() && !l->is_null()) {
    GW_CHECK(need(l->is_object(), "key.limits", "must be an object"));
    r.limits.requests_per_minute = l->value("requests_per_minute", int64_t{0});
    r.limits.tokens_per_minute = l->value("tokens_per_minute", int64_t{0});
    r.limits.concurrent = l->value("concurrent", int64_t{0});
  }
  if (auto e = k->find("enabled"); e != k->end()) {
    GW_CHECK(need(e->is_boolean(), "key.enabled", "must be true or false"));
    r.enabled = e->get<bool>();
  }
  if (auto e = k->find("revoked"); e != k->end()) {
    GW_CHECK(need(e->is_boolean(), "key.revoked", "must be true or false"));
    r.revoked = e->get<bool>();
  }
  if (auto e = k->find("expires_at_ms"); e != k->end() && !e->is_null()) {
    GW_CHECK(need(e->is_number_integer(), "key.expires_at_ms", "must be Unix milliseconds or null"));
    r.expires_at_ms = e->get<int64_t>();
  }
  if (auto e = k->find("revoked_at_ms"); e != k->end() && !e->is_null()) {
    GW_CHECK(need(e->is_number_integer(), "key.revoked_at_ms", "must be Unix milliseconds"));
    r.revoked_at_ms = e->get<int64_t>();
  }
  return r;
}

std::string central_key_refusal(const CentralKeyRecord& r, const std::string& server) {
  std::string who = "'" + r.id + "'" + (r.owner.empty() ? "" : " (" + r.owner + ")");
  std::string login = server.empty() ? "`gw login --server URL`" : "`gw login --server " + server + "`";
  if (r.revoked) {
    std::string msg = "gw: your central key " + who + " was revoked";
    if (!r.revoked_by.empty()) msg += " by " + r.revoked_by;
    if (r.revoked_at_ms > 0) msg += " at " + utc_time(r.revoked_at_ms / 1000, "%Y-%m-%d %H:%M UTC");
    if (!r.revoked_reason.empty()) msg += " (reason: " + r.revoked_reason + ")";
    return msg + ". Requests under it are refused. Ask your gw administrator for a new key, then run " + login + ".";
  }
  if (!r.enabled)
    return "gw: your central key " + who +
           " is disabled at the central gateway. Ask your gw administrator to re-enable it (gw admin keys enable), "
           "or for a new key and then run " + login + ".";
  return {};
}

std::shared_ptr<const Policy> merge_central_key(const Policy& policy, const CentralKeyRecord& record,
                                                const std::string& server) {
  auto merged = std::make_shared<Policy>(policy);
  VirtualKey key;
  const VirtualKey* launcher = policy.local_key.empty() ? nullptr : policy.find_key(policy.local_key);
  if (launcher) {
    key.access = launcher->access;
    key.limits = launcher->limits;
  } else {
    for (const auto& [id, p] : policy.providers) key.access.providers.push_back(id);
    key.access.models = {"*"};
  }
  if (!record.providers.empty()) key.access.providers = record.providers;
  if (!record.models.empty()) key.access.models = record.models;
  for (const auto& d : record.deny_models) key.access.deny_models.push_back(d);
  if (record.limits.any()) key.limits = record.limits;
  key.id = record.id;
  key.owner = record.owner;
  key.team = record.team;
  key.budgets = record.budgets;
  key.enabled = record.enabled && !record.revoked;
  key.expires_at_ms = record.expires_at_ms;
  key.refusal = central_key_refusal(record, server);
  // A policy key of the same id gives way (and its secret with it: the central key's secret is
  // checked by the central, never by the sidecar).
  if (auto it = merged->keys.find(record.id); it != merged->keys.end() && !it->second.secret_hash.empty())
    merged->key_by_hash.erase(it->second.secret_hash);
  merged->keys[record.id] = std::move(key);
  merged->local_key = record.id;
  return merged;
}

}  // namespace gw::config
