// gw admin teams list|show|create|update|rm
#include <iostream>

#include "cli/commands/admin_client.hpp"
#include "cli/commands/cli_util.hpp"

namespace gw::cli {
using nlohmann::json;

namespace {

struct TeamFields {
  std::string description;
  std::vector<std::string> budgets;
  int64_t rpm = -1, tpm = -1, concurrent = -1;
};

void add_team_options(CLI::App* c, TeamFields& f) {
  c->add_option("--description", f.description, "free text");
  c->add_option("--budget", f.budgets, "NAME=USD/PERIOD[/rolling], e.g. monthly=900/month (repeat; replaces all budgets)");
  c->add_option("--rpm", f.rpm, "requests per minute (0: no limit)");
  c->add_option("--tpm", f.tpm, "tokens per minute (0: no limit)");
  c->add_option("--concurrent", f.concurrent, "requests in flight (0: no limit)");
}

Result<json> team_body(const TeamFields& f) {
  json b = json::object();
  if (!f.description.empty()) b["description"] = f.description;
  if (!f.budgets.empty()) {
    json budgets = json::object();
    for (const auto& spec : f.budgets) {
      size_t eq = spec.find('='), slash = spec.find('/', eq == std::string::npos ? 0 : eq);
      if (eq == std::string::npos || slash == std::string::npos)
        return fail(Errc::invalid_argument, "--budget '" + spec + "': use NAME=USD/PERIOD[/rolling], e.g. monthly=900/month");
      std::string usd = spec.substr(eq + 1, slash - eq - 1), rest = spec.substr(slash + 1);
      char* end = nullptr;
      double amount = std::strtod(usd.c_str(), &end);
      if (usd.empty() || *end) return fail(Errc::invalid_argument, "--budget '" + spec + "': '" + usd + "' is not an amount in USD");
      json budget = {{"usd", amount}, {"period", rest.substr(0, rest.find('/'))}};
      if (size_t s2 = rest.find('/'); s2 != std::string::npos) budget["window"] = rest.substr(s2 + 1);
      budgets[spec.substr(0, eq)] = budget;
    }
    b["budgets"] = budgets;
  }
  json limits = json::object();
  if (f.rpm >= 0) limits["requests_per_minute"] = f.rpm;
  if (f.tpm >= 0) limits["tokens_per_minute"] = f.tpm;
  if (f.concurrent >= 0) limits["concurrent"] = f.concurrent;
  if (!limits.empty()) b["limits"] = limits;
  return b;
}

std::string str(const json& j, const char* k) {
  auto it = j.find(k);
  return it == j.end() || it->is_null() ? "-" : it->is_string() ? it->get<std::string>() : it->dump();
}

int show_team(const AdminOptions& o, const json& t, const char* verb) {
  if (o.json) return std::cout << t.dump(2) << "\n", 0;
  if (verb) std::printf("%s team %s\n", verb, str(t, "id").c_str());
  for (const char* f : {"id", "description", "budgets", "limits", "created_at", "updated_at", "revision"})
    std::printf("%-13s %s\n", (std::string(f) + ":").c_str(), str(t, f).c_str());
  return 0;
}

int run(const AdminOptions& o, const std::string& method, const std::string& path, const std::string& body,
        const std::function<int(const json&)>& show) {
  auto r = admin_request(o, method, path, body);
  if (!r) return print_error(r.error().message);
  return show(r->body);
}

}  // namespace

void add_admin_teams_commands(CLI::App& admin, std::shared_ptr<AdminOptions> o, int& exit_code) {
  auto* teams = admin.add_subcommand("teams", "Teams of the central key directory: list, show, create, update, rm");
  teams->require_subcommand(1);
  teams->add_subcommand("list", "List teams")->callback([o, &exit_code] {
    exit_code = run(*o, "GET", "/v1/admin/teams", "", [&](const json& b) {
      if (o->json) return std::cout << b.dump(2) << "\n", 0;
      std::vector<std::vector<std::string>> rows;
      for (const auto& t : b["teams"]) rows.push_back({str(t, "id"), str(t, "description"), str(t, "budgets"), str(t, "revision")});
      print_table({"ID", "DESCRIPTION", "BUDGETS", "REV"}, rows);
      return 0;
    });
  });
  auto id = std::make_shared<std::string>();
  auto* show = teams->add_subcommand("show", "Show one team");
  show->add_option("ID", *id, "team id")->required();
  show->callback([o, id, &exit_code] {
    exit_code = run(*o, "GET", "/v1/admin/teams/" + url_encode(*id), "", [&](const json& b) { return show_team(*o, b, nullptr); });
  });
  auto fields = std::make_shared<TeamFields>();
  auto* create = teams->add_subcommand("create", "Create a team");
  create->add_option("ID", *id, "team id (letters, digits, _ - . @)")->required();
  add_team_options(create, *fields);
  create->callback([o, id, fields, &exit_code] {
    auto body = team_body(*fields);
    if (!body) return void(exit_code = print_error(body.error().message));
    (*body)["id"] = *id;
    exit_code = run(*o, "POST", "/v1/admin/teams", body->dump(), [&](const json& b) { return show_team(*o, b, "Created"); });
  });
  auto* update = teams->add_subcommand("update", "Change a team's fields (only the flags given)");
  update->add_option("ID", *id, "team id")->required();
  add_team_options(update, *fields);
  update->callback([o, id, fields, &exit_code] {
    auto body = team_body(*fields);
    if (!body) return void(exit_code = print_error(body.error().message));
    if (body->empty()) return void(exit_code = print_error("nothing to change: give at least one field flag (see --help)"));
    exit_code = run(*o, "PATCH", "/v1/admin/teams/" + url_encode(*id), body->dump(),
                    [&](const json& b) { return show_team(*o, b, "Updated"); });
  });
  auto* rm = teams->add_subcommand("rm", "Delete a team (refused while keys name it)");
  rm->add_option("ID", *id, "team id")->required();
  rm->callback([o, id, &exit_code] {
    exit_code = run(*o, "DELETE", "/v1/admin/teams/" + url_encode(*id), "", [&](const json& b) {
      if (o->json) std::cout << b.dump(2) << "\n";
      else std::printf("Deleted team %s\n", id->c_str());
      return 0;
    });
  });
}

}  // namespace gw::cli
