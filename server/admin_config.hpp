#pragma once
// [admin] of server.toml: who may use the Admin API (docs/admin-api.md), by bearer token.
//
//   [admin.tokens.ops]
//   secret_hash = "sha256:..."     # from `gw policy hash-key --new`; never the token itself
//   role = "admin"                 # admin | policy-author | auditor | viewer
//
// Without [admin] (or with no tokens) every Admin API route answers 401.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::config::detail {
class Diagnostics;
}

namespace gw::server {

// What a token may do (docs/admin-api.md has the full route table):
//   viewer         read keys, teams, spend reports
//   auditor        viewer + audit queries
//   policy-author  viewer + publish policy bundles
//   admin          everything (key and team writes included)
enum class AdminRole { viewer, auditor, policy_author, admin };
std::string_view to_string(AdminRole role);
std::optional<AdminRole> parse_admin_role(std::string_view text);

struct AdminToken {
  std::string id;
  std::string secret_hash;  // "sha256:<64 hex>"
  AdminRole role = AdminRole::viewer;
};

struct AdminConfig {
  std::vector<AdminToken> tokens;
};

// Decodes the [admin] table into `out`, reporting every problem through diag.
void decode_admin_section(const nlohmann::json& table, config::detail::Diagnostics& diag, AdminConfig& out);

}  // namespace gw::server
