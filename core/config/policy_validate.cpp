// Cross-field checks of a decoded policy (see policy_decode.hpp for the list).
#include <algorithm>
#include <cctype>

#include "core/config/policy_decode.hpp"

namespace gw::config::detail {

namespace {

std::string list_names(const auto& map) {
  std::string out;
  for (const auto& [id, _] : map) out += (out.empty() ? "" : ", ") + id;
  return out.empty() ? "none" : out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' && c != '@')
      return false;
  return true;
}

bool valid_hash(std::string_view h) {
  if (!h.starts_with("sha256:") || h.size() != 7 + 64) return false;
  for (char c : h.substr(7))
    if (!std::isdigit(static_cast<unsigned char>(c)) && !(c >= 'a' && c <= 'f')) return false;
  return true;
}

void check_budgets(const std::vector<Budget>& budgets, const std::string& owner_path,
                   Diagnostics& diag) {
  for (size_t i = 0; i < budgets.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (budgets[i].period == budgets[j].period && budgets[i].window == budgets[j].window)
        diag.error(path_key(owner_path + ".budgets", budgets[i].name),
                   "covers the same period as budget '" + budgets[j].name + "' (" +
                       std::string(to_string(budgets[i].window)) + " " +
                       std::string(to_string(budgets[i].period)) +
                       "); use one budget per period");
}

void check_access(const ModelAccess& access, const std::string& path, const Policy& policy,
                  Diagnostics& diag) {
  for (size_t i = 0; i < access.providers.size(); ++i)
    if (!policy.providers.count(access.providers[i]))
      diag.error(path_index(path + ".providers", i),
                 "unknown provider '" + access.providers[i] + "' (defined: " +
                     list_names(policy.providers) + ")");
  auto check_models = [&](const std::vector<std::string>& models, const std::string& field) {
    for (size_t i = 0; i < models.size(); ++i) {
      const std::string& m = models[i];
      std::string where = path_index(path + "." + field, i);
      if (auto problem = glob_problem(m); !problem.empty()) {
        diag.error(where, problem);
        continue;
      }
      bool wildcard = m.find_first_of("*?") != std::string::npos;
      if (!wildcard && !policy.prices.knows(m))
        diag.error(where, "unknown model '" + m +
                              "' (no price is known for it; add it under [prices] or use a glob "
                              "such as '" + m + "*')");
    }
  };
  check_models(access.models, "models");
  check_models(access.deny_models, "deny_models");
}

void check_key(const VirtualKey& key, const std::string& path, const Policy& policy,
               Diagnostics& diag) {
  check_access(key.access, path, policy, diag);
  check_budgets(key.budgets, path, diag);
}

}  // namespace

std::string glob_problem(std::string_view glob) {
  if (glob.empty()) return "must not be empty";
  for (char c : glob) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
              c == ':' || c == '@' || c == '/' || c == '*' || c == '?';
    if (!ok)
      return "invalid glob '" + std::string(glob) + "': character '" + std::string(1, c) +
             "' is not allowed (only letters, digits, - _ . : @ / and the wildcards * ?)";
  }
  return "";
}

void validate_policy(const Policy& policy, Diagnostics& diag) {
  if (policy.reservation.default_max_output_tokens > policy.reservation.max_output_tokens_cap)
    diag.error("reservation.default_max_output_tokens",
               "must be <= max_output_tokens_cap (" +
                   std::to_string(policy.reservation.max_output_tokens_cap) + ")");
  for (const auto& [id, p] : policy.providers) {
    std::string path = path_key("providers", id);
    if (!valid_id(id)) diag.error(path, "invalid provider id '" + id + "'");
    if (p.credential.kind != CredentialSource::Kind::none && p.credential.name.empty())
      diag.error(path + ".credential", "must name an env var, file or keychain item");
  }
  check_budgets(policy.org_budgets, "org", diag);

  std::map<std::string, std::string> lowered;  // lowercase id -> id
  for (const auto& [id, key] : policy.keys) {
    std::string path = path_key("keys", id);
    if (!valid_id(id))
      diag.error(path, "invalid key id '" + id + "': use letters, digits, '.', '_', '-', '@' (at most 64)");
    auto [it, fresh] = lowered.emplace(lower(id), id);
    if (!fresh)
      diag.error(path, "duplicate key id: '" + id + "' and '" + it->second + "' differ only in case");
    if (!key.secret_hash.empty() && !valid_hash(key.secret_hash)) {
      std::string msg = "must be \"sha256:\" followed by 64 lowercase hex digits (make one with "
                        "`gw policy hash-key`)";
      if (key.secret_hash.find(':') == std::string::npos)
        msg += "; this looks like a clear-text secret: store only its hash";
      diag.error(path + ".secret_hash", msg);
    }
    if (!key.secret_hash.empty()) {
      auto owner = policy.key_by_hash.find(key.secret_hash);
      if (owner != policy.key_by_hash.end() && owner->second != id)
        diag.error(path + ".secret_hash", "same secret as key '" + owner->second +
                                              "'; every key needs its own secret");
    }
    if (!key.team.empty() && !policy.teams.count(key.team))
      diag.error(path + ".team",
                 "unknown team '" + key.team + "' (defined: " + list_names(policy.teams) + ")");
    check_key(key, path, policy, diag);
  }
  for (const auto& [id, team] : policy.teams) {
    std::string path = path_key("teams", id);
    if (!valid_id(id)) diag.error(path, "invalid team id '" + id + "'");
    for (size_t i = 0; i < team.members.size(); ++i) {
      auto k = policy.keys.find(team.members[i]);
      if (k == policy.keys.end())
        diag.error(path_index(path + ".members", i), "unknown key '" + team.members[i] + "'");
      else if (k->second.team != id)
        diag.error(path_index(path + ".members", i),
                   "key '" + k->first + "' belongs to team '" + k->second.team + "'");
    }
    check_budgets(team.budgets, path, diag);
  }
  if (!policy.local_key.empty() && !policy.keys.count(policy.local_key))
    diag.error("local.key", "unknown key '" + policy.local_key + "' (defined: " +
                                list_names(policy.keys) + ")");
  if (!policy.enforce_auth && !policy.anonymous)
    diag.error("enforce_auth", "is false but no [anonymous] policy is defined; define one to say "
                               "what requests without a key may do");
  if (policy.enforce_auth && policy.anonymous)
    diag.error("anonymous", "has no effect while enforce_auth = true; remove it or set "
                            "enforce_auth = false");
  if (policy.anonymous) check_key(*policy.anonymous, "anonymous", policy, diag);
}

}  // namespace gw::config::detail
