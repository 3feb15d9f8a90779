#include "core/config/policy_decode.hpp"

#include <chrono>
#include <cmath>
#include <sstream>

#include "core/config/guardrails_decode.hpp"
#include "core/config/audit_decode.hpp"
#include "core/config/policy_reader.hpp"

namespace gw::config::detail {

namespace {

int64_t to_nano(double usd) { return static_cast<int64_t>(std::llround(usd * 1e9)); }

}  // namespace

std::optional<int64_t> parse_rfc3339_ms(const std::string& s) {
  // Accepts YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM). Dates without a zone are UTC.
  int y, mo, d, h = 0, mi = 0, sec = 0;
  char rest[32] = {0};
  int n = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return std::nullopt;
  size_t pos = 10;
  int64_t offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    int m = 0;
    if (std::sscanf(s.c_str() + pos + 1, "%2d:%2d%n", &h, &mi, &m) != 2) return std::nullopt;
    pos += 1 + m;
    if (pos < s.size() && s[pos] == ':') {
      if (std::sscanf(s.c_str() + pos + 1, "%2d%n", &sec, &m) != 1) return std::nullopt;
      pos += 1 + m;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
      }
    }
    std::string zone = s.substr(pos);
    if (zone.empty() || zone == "Z" || zone == "z") {
    } else if ((zone[0] == '+' || zone[0] == '-') && zone.size() == 6 && zone[3] == ':') {
      int zh = std::atoi(zone.substr(1, 2).c_str()), zm = std::atoi(zone.substr(4, 2).c_str());
      offset_min = (zone[0] == '+' ? 1 : -1) * (zh * 60 + zm);
    } else {
      return std::nullopt;
    }
  }
  (void)rest;
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  int64_t days = sys_days(ymd).time_since_epoch().count();
  return ((days * 24 + h) * 60 + mi - offset_min) * 60000 + sec * 1000;
}

static std::optional<Period> parse_period(const std::string& s) {
  if (s == "hour") return Period::hour;
  if (s == "day") return Period::day;
  if (s == "week") return Period::week;
  if (s == "month") return Period::month;
  if (s == "quarter") return Period::quarter;
  if (s == "year") return Period::year;
  return std::nullopt;
}

std::vector<Budget> decode_budgets(ObjectReader& owner, Diagnostics& diag) {
  std::vector<Budget> out;
  const auto* t = owner.table("budgets");
  if (!t) return out;
  for (auto it = t->begin(); it != t->end(); ++it) {
    ObjectReader b(it.value(), path_key(owner.child("budgets"), it.key()), diag);
    if (!b.valid()) continue;
    Budget budget;
    budget.name = it.key();
    if (auto usd = b.usd("usd", true)) budget.amount_nano_usd = to_nano(*usd);
    if (auto p = b.string("period", true)) {
      if (auto period = parse_period(*p))
        budget.period = *period;
      else
        diag.error(b.child("period"), "must be one of hour, day, week, month, quarter, year; got '" + *p + "'");
    }
    if (auto w = b.string("window")) {
      if (*w == "calendar") budget.window = Window::calendar;
      else if (*w == "rolling") budget.window = Window::rolling;
      else diag.error(b.child("window"), "must be 'calendar' or 'rolling'; got '" + *w + "'");
    }
    b.finish();
    out.push_back(std::move(budget));
  }
  return out;
}

RateLimits decode_limits(ObjectReader& owner, Diagnostics& diag) {
  RateLimits out;
  const auto* t = owner.table("limits");
  if (!t) return out;
  ObjectReader l(*t, owner.child("limits"), diag);
  if (auto v = l.integer("requests_per_minute", 0)) out.requests_per_minute = *v;
  if (auto v = l.integer("tokens_per_minute", 0)) out.tokens_per_minute = *v;
  if (auto v = l.integer("concurrent", 0)) out.concurrent = *v;
  l.finish();
  return out;
}

void decode_access(ObjectReader& r, ModelAccess& access) {
  if (auto v = r.string_list("providers")) access.providers = *v;
  if (auto v = r.string_list("models")) access.models = *v;
  if (auto v = r.string_list("deny_models")) access.deny_models = *v;
}

VirtualKey decode_key(const nlohmann::json& j, const std::string& id, const std::string& path,
                      Diagnostics& diag, bool anonymous) {
  VirtualKey key;
  key.id = id;
  ObjectReader r(j, path, diag);
  if (!r.valid()) return key;
  if (!anonymous) {
    if (auto v = r.string("secret_hash")) key.secret_hash = *v;
    if (auto v = r.string("owner")) key.owner = *v;
    if (auto v = r.string("team")) key.team = *v;
    if (const auto* e = r.raw("expires")) {
      auto ms = e->is_string() ? parse_rfc3339_ms(e->get<std::string>()) : std::nullopt;
      if (ms)
        key.expires_at_ms = *ms;
      else
        diag.error(r.child("expires"), "must be an RFC 3339 date-time such as 2027-01-01T00:00:00Z");
    }
  }
  if (auto v = r.boolean("enabled")) key.enabled = *v;
  decode_access(r, key.access);
  key.budgets = decode_budgets(r, diag);
  key.limits = decode_limits(r, diag);
  r.finish();
  return key;
}

namespace {

void decode_provider(const nlohmann::json& j, const std::string& id, const std::string& path,
                     Policy& policy, Diagnostics& diag) {
  ObjectReader r(j, path, diag);
  if (!r.valid()) return;
  auto existing = policy.providers.find(id);
  ProviderConfig p = existing != policy.providers.end() ? existing->second : ProviderConfig{};
  p.id = id;
  bool builtin = existing != policy.providers.end();
  if (auto k = r.string("kind", !builtin)) {
    if (*k == "anthropic") p.kind = ApiKind::anthropic;
    else if (*k == "openai") p.kind = ApiKind::openai;
    else if (*k == "gemini") p.kind = ApiKind::gemini;
    else diag.error(r.child("kind"), "must be one of anthropic, openai, gemini; got '" + *k + "'");
  }
  if (auto u = r.string("base_url", !builtin)) {
    if (!(u->starts_with("https://") || u->starts_with("http://")) || u->size() < 9)
      diag.error(r.child("base_url"), "must be an http:// or https:// URL; got '" + *u + "'");
    else
      p.base_url = *u;
  }
  if (const auto* c = r.raw("credential")) {
    std::string cpath = r.child("credential");
    if (c->is_string() && c->get<std::string>() == "none") {
      p.credential = CredentialSource{CredentialSource::Kind::none, ""};
    } else if (c->is_object() && c->size() == 1) {
      ObjectReader cr(*c, cpath, diag);
      if (auto v = cr.string("env")) p.credential = {CredentialSource::Kind::env, *v};
      else if (auto f = cr.string("file")) p.credential = {CredentialSource::Kind::file, *f};
      else if (auto k = cr.string("keychain")) p.credential = {CredentialSource::Kind::keychain, *k};
      cr.finish();
    } else {
      diag.error(cpath, "must be \"none\" or a table with exactly one of env, file, keychain");
    }
  }
  if (auto b = r.boolean("allow_passthrough")) p.allow_passthrough = *b;
  r.finish();
  policy.providers[id] = std::move(p);
}

void decode_price(const nlohmann::json& j, const std::string& pattern, const std::string& path,
                  Policy& policy, Diagnostics& diag) {
  ObjectReader r(j, path, diag);
  if (!r.valid()) return;
  ModelPrice p;
  p.pattern = pattern;
  if (auto v = r.string("provider")) p.provider = *v;
  auto rate = [&](const char* key, bool required, int64_t& out) {
    if (auto v = r.usd(key, required)) out = usd_per_mtok(*v);
  };
  rate("input", true, p.input);
  rate("output", true, p.output);
  rate("cache_read", false, p.cache_read);
  rate("cache_write_5m", false, p.cache_write_5m);
  rate("cache_write_1h", false, p.cache_write_1h);
  rate("reasoning", false, p.reasoning);
  r.finish();
  policy.prices.set(std::move(p));
}

}  // namespace

Policy decode_policy(const SourceDoc& doc, Diagnostics& diag) {
  Policy policy;
  // The three built-in providers always exist; [providers.X] overrides their fields.
  auto builtin = default_policy();
  policy.providers = builtin->providers;
  policy.prices = PriceTable::defaults();

  ObjectReader root(doc.root, "", diag);
  if (auto v = root.string("version")) policy.version = *v;
  if (auto v = root.boolean("enforce_auth")) policy.enforce_auth = *v;
  if (const auto* t = root.table("local")) {
    ObjectReader l(*t, "local", diag);
    if (auto v = l.string("key")) policy.local_key = *v;
    l.finish();
  }
  if (const auto* t = root.table("providers"))
    for (auto it = t->begin(); it != t->end(); ++it)
      decode_provider(it.value(), it.key(), path_key("providers", it.key()), policy, diag);
  if (const auto* t = root.table("prices"))
    for (auto it = t->begin(); it != t->end(); ++it)
      decode_price(it.value(), it.key(), path_key("prices", it.key()), policy, diag);
  if (const auto* t = root.table("reservation")) {
    ObjectReader r(*t, "reservation", diag);
    auto& rp = policy.reservation;
    if (auto v = r.integer("default_max_output_tokens", 1)) rp.default_max_output_tokens = *v;
    if (auto v = r.integer("max_output_tokens_cap", 1)) rp.max_output_tokens_cap = *v;
    if (auto v = r.integer("bytes_per_input_token", 1)) rp.bytes_per_input_token = *v;
    r.finish();
  }
  if (const auto* t = root.table("org")) {
    ObjectReader o(*t, "org", diag);
    policy.org_budgets = decode_budgets(o, diag);
    policy.org_limits = decode_limits(o, diag);
    o.finish();
  }
  if (const auto* t = root.table("teams")) {
    for (auto it = t->begin(); it != t->end(); ++it) {
      ObjectReader tr(it.value(), path_key("teams", it.key()), diag);
      if (!tr.valid()) continue;
      Team team;
      team.id = it.key();
      if (auto v = tr.string_list("members")) team.members = *v;
      team.budgets = decode_budgets(tr, diag);
      team.limits = decode_limits(tr, diag);
      tr.finish();
      policy.teams[team.id] = std::move(team);
    }
  }
  if (const auto* t = root.table("keys"))
    for (auto it = t->begin(); it != t->end(); ++it)
      policy.keys[it.key()] =
          decode_key(it.value(), it.key(), path_key("keys", it.key()), diag, false);
  if (const auto* t = root.table("audit")) decode_audit(*t, policy.audit, diag);
  if (const auto* a = root.raw("anonymous")) {
    auto key = decode_key(*a, "anonymous", "anonymous", diag, true);
    policy.anonymous = std::move(key);
  }
  policy.guardrails = decode_guardrails(root, doc, diag);
  root.finish();
  // A key listed as a team member belongs to that team even when it does not name it.
  for (const auto& [tid, team] : policy.teams)
    for (const auto& member : team.members) {
      auto k = policy.keys.find(member);
      if (k != policy.keys.end() && k->second.team.empty()) k->second.team = tid;
    }
  for (const auto& [id, key] : policy.keys)
    if (!key.secret_hash.empty()) policy.key_by_hash.emplace(key.secret_hash, id);
  return policy;
}

}  // namespace gw::config::detail
