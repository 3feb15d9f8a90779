#include "server/admin_config.hpp"

#include <nlohmann/json.hpp>

#include "core/config/policy_reader.hpp"

namespace gw::server {
using config::detail::ObjectReader;

namespace {

constexpr std::string_view k_role_names[] = {"viewer", "auditor", "policy-author", "admin"};

bool is_sha256_hash(std::string_view h) {
  if (!h.starts_with("sha256:") || h.size() != 71) return false;
  for (char c : h.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::string_view to_string(AdminRole role) { return k_role_names[static_cast<int>(role)]; }

std::optional<AdminRole> parse_admin_role(std::string_view text) {
  for (int i = 0; i < 4; ++i)
    if (k_role_names[i] == text) return static_cast<AdminRole>(i);
  return std::nullopt;
}

void decode_admin_section(const nlohmann::json& table, config::detail::Diagnostics& diag, AdminConfig& out) {
  ObjectReader a(table, "admin", diag);
  if (!a.valid()) return;
  if (const auto* tokens = a.table("tokens")) {
    for (auto it = tokens->begin(); it != tokens->end(); ++it) {
      std::string path = config::detail::path_key("admin.tokens", it.key());
      ObjectReader t(it.value(), path, diag);
      if (!t.valid()) continue;
      AdminToken token{it.key(), "", AdminRole::viewer};
      bool ok = true;
      if (auto h = t.string("secret_hash", true)) {
        if (!is_sha256_hash(*h)) {
          diag.error(path + ".secret_hash",
                     "must be \"sha256:\" and 64 lowercase hex characters; make one with `gw policy hash-key --new`");
          ok = false;
        }
        token.secret_hash = *h;
      } else {
        ok = false;
      }
      if (auto r = t.string("role", true)) {
        if (auto role = parse_admin_role(*r)) {
          token.role = *role;
        } else {
          diag.error(path + ".role", "must be one of admin, policy-author, auditor, viewer; got '" + *r + "'");
          ok = false;
        }
      } else {
        ok = false;
      }
      t.finish();
      for (const auto& other : out.tokens)
        if (ok && other.secret_hash == token.secret_hash) {
          diag.error(path + ".secret_hash", "is the same as admin.tokens." + other.id + "; give each token its own secret");
          ok = false;
        }
      if (ok) out.tokens.push_back(std::move(token));
    }
  }
  a.finish();
}

}  // namespace gw::server
