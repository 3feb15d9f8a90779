// gw admin keys|teams|spend|audit|publish: drives the central gateway's Admin API.
#include <httplib.h>

#include <cstdio>
#include <iostream>

#include "cli/commands/admin_client.hpp"
#include "cli/commands/cli_util.hpp"
#include "cli/commands/commands.hpp"
#include "core/common/files.hpp"

namespace gw::cli {
using nlohmann::json;

namespace {

Result<std::string> admin_token(const AdminOptions& o) {
  std::string token;
  if (!o.token_file.empty()) {
    GW_TRY(t, read_file(o.token_file, 4096));
    token = t;
  } else {
    token = env_str("GW_ADMIN_TOKEN");
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty())
    return fail(Errc::invalid_argument, "no admin token: pass --token-file FILE or set $GW_ADMIN_TOKEN "
                                        "(a token configured under [admin.tokens] of the server's server.toml)");
  return token;
}

}  // namespace

std::string url_encode(const std::string& s) {
  static const char* k_hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') out += static_cast<char>(c);
    else out += {'%', k_hex[c >> 4], k_hex[c & 15]};
  }
  return out;
}

Result<AdminResponse> admin_request(const AdminOptions& o, const std::string& method, const std::string& path,
                                    const std::string& body) {
  std::string server = o.server.empty() ? env_str("GW_ADMIN_URL") : o.server;
  if (server.empty())
    return fail(Errc::invalid_argument, "no server: pass --server https://gw.example.com:8443 or set $GW_ADMIN_URL");
  if (!server.starts_with("https://") && !server.starts_with("http://"))
    return fail(Errc::invalid_argument, "--server must be an https:// URL (http:// only for a loopback test server)");
  while (server.ends_with("/")) server.pop_back();
  GW_TRY(token, admin_token(o));
  httplib::Client cli(server);
  if (!o.ca_file.empty()) cli.set_ca_cert_path(o.ca_file.c_str());
  cli.set_connection_timeout(10, 0);
  cli.set_read_timeout(120, 0);
  httplib::Headers h{{"Authorization", "Bearer " + token}};
  const char* type = path.starts_with("/v1/admin/policy/") ? "application/vnd.gw.policy-bundle+json" : "application/json";
  httplib::Result r = method == "GET"     ? cli.Get(path.c_str(), h)
                      : method == "POST"  ? cli.Post(path.c_str(), h, body, type)
                      : method == "PATCH" ? cli.Patch(path.c_str(), h, body, type)
                                          : cli.Delete(path.c_str(), h, body, type);
  if (!r) return fail(Errc::unavailable, "cannot reach " + server + " (" + httplib::to_string(r.error()) + ")");
  AdminResponse out{r->status, json::parse(r->body, nullptr, false)};
  if (out.status >= 400) {
    std::string msg = out.body.is_object() && out.body.contains("error")
                          ? out.body["error"].value("message", "") + " (HTTP " + std::to_string(out.status) + ")"
                          : "HTTP " + std::to_string(out.status) + " from " + server;
    return fail(out.status == 404 ? Errc::not_found : Errc::denied, msg);
  }
  return out;
}

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::string out;
    for (size_t i = 0; i < r.size(); ++i) {
      out += r[i];
      if (i + 1 < r.size()) out += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::cout << out << "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
}

void add_admin_command(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<AdminOptions>();
  auto* admin = app.add_subcommand("admin", "Manage the central gateway: keys, teams, spend, audit, policy (Admin API)");
  admin->require_subcommand(1);
  admin->fallthrough();
  admin->add_option("--server", opts->server, "central gateway URL (default: $GW_ADMIN_URL)");
  admin->add_option("--token-file", opts->token_file, "file holding the admin token (default: $GW_ADMIN_TOKEN)");
  admin->add_option("--ca-file", opts->ca_file, "CA certificate (PEM) that signed the server's certificate");
  admin->add_flag("--json", opts->json, "print the API's JSON instead of tables");
  add_admin_keys_commands(*admin, opts, ctx.exit_code);
  add_admin_teams_commands(*admin, opts, ctx.exit_code);
  add_admin_report_commands(*admin, opts, ctx.exit_code);
}

}  // namespace gw::cli
