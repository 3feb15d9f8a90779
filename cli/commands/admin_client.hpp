#pragma once
// `gw admin ...`: the client side of the Admin API (docs/admin-api.md). Server from --server or
// $GW_ADMIN_URL, token from --token-file or $GW_ADMIN_TOKEN, --ca-file for a private CA.
#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/common/result.hpp"

namespace gw::cli {

struct AdminOptions {
  std::string server;
  std::string token_file;
  std::string ca_file;
  bool json = false;  // print the API's JSON instead of tables
};

struct AdminResponse {
  int status = 0;
  nlohmann::json body;
};

// Sends one request; a transport failure or an error status becomes an Error whose message is
// the server's (or says how to fix the connection). `body` empty: no request body.
Result<AdminResponse> admin_request(const AdminOptions& o, const std::string& method, const std::string& path,
                                    const std::string& body = "");

// Percent-encodes a query-string value.
std::string url_encode(const std::string& s);

// Prints rows as an aligned table with a header.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// gw admin ... (registered in registry.cpp).
struct CommandContext;
void add_admin_command(CLI::App& app, CommandContext& ctx);

// Adds the subcommands of each resource under `admin` (the options outlive the parser).
void add_admin_keys_commands(CLI::App& admin, std::shared_ptr<AdminOptions> opts, int& exit_code);
void add_admin_teams_commands(CLI::App& admin, std::shared_ptr<AdminOptions> opts, int& exit_code);
void add_admin_report_commands(CLI::App& admin, std::shared_ptr<AdminOptions> opts, int& exit_code);

}  // namespace gw::cli
