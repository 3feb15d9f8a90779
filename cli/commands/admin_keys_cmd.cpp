// gw admin keys list|show|create|update|rotate|revoke|rm
#include <iostream>

#include "cli/commands/admin_client.hpp"
#include "cli/commands/cli_util.hpp"

namespace gw::cli {
using nlohmann::json;

namespace {

// The flags that set a key's policy fields; only those given go into the body.
struct KeyFields {
  std::string owner, team, expires;
  std::vector<std::string> providers, models, deny_models, budgets;
  int64_t rpm = -1, tpm = -1, concurrent = -1;
  bool enable = false, disable = false;
};

void add_field_options(CLI::App* c, KeyFields& f) {
  c->add_option("--owner", f.owner, "person or service owning the key (e.g. an email)");
  c->add_option("--team", f.team, "team id (the team must exist)");
  c->add_option("--provider", f.providers, "provider the key may use (repeat)");
  c->add_option("--model", f.models, "model or glob the key may use (repeat)");
  c->add_option("--deny-model", f.deny_models, "model or glob refused even if allowed (repeat)");
  c->add_option("--budget", f.budgets, "NAME=USD/PERIOD[/rolling], e.g. daily=20/day (repeat; replaces all budgets)");
  c->add_option("--rpm", f.rpm, "requests per minute (0: no limit)");
  c->add_option("--tpm", f.tpm, "tokens per minute (0: no limit)");
  c->add_option("--concurrent", f.concurrent, "requests in flight (0: no limit)");
  c->add_option("--expires", f.expires, "RFC 3339 date or date-time after which the key is refused");
  c->add_flag("--enable", f.enable, "enable the key");
  c->add_flag("--disable", f.disable, "disable the key (refused until enabled again)");
}

// Builds the JSON body; a malformed --budget is an error naming it.
Result<json> fields_body(const KeyFields& f) {
  json b = json::object();
  if (!f.owner.empty()) b["owner"] = f.owner;
  if (!f.team.empty()) b["team"] = f.team;
  if (!f.expires.empty()) b["expires"] = f.expires;
  if (!f.providers.empty()) b["providers"] = f.providers;
  if (!f.models.empty()) b["models"] = f.models;
  if (!f.deny_models.empty()) b["deny_models"] = f.deny_models;
  if (f.enable) b["enabled"] = true;
  if (f.disable) b["enabled"] = false;
  if (!f.budgets.empty()) {
    json budgets = json::object();
    for (const auto& spec : f.budgets) {
      size_t eq = spec.find('='), slash = spec.find('/', eq == std::string::npos ? 0 : eq);
      if (eq == std::string::npos || slash == std::string::npos)
        return fail(Errc::invalid_argument, "--budget '" + spec + "': use NAME=USD/PERIOD[/rolling], e.g. daily=20/day");
      std::string usd = spec.substr(eq + 1, slash - eq - 1), rest = spec.substr(slash + 1);
      char* end = nullptr;
      double amount = std::strtod(usd.c_str(), &end);
      if (usd.empty() || *end) return fail(Errc::invalid_argument, "--budget '" + spec + "': '" + usd + "' is not an amount in USD");
      json budget = {{"usd", amount}};
      if (size_t s2 = rest.find('/'); s2 != std::string::npos) {
        budget["period"] = rest.substr(0, s2);
        budget["window"] = rest.substr(s2 + 1);
      } else {
        budget["period"] = rest;
      }
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

void print_key(const json& k) {
  for (const char* f : {"id", "status", "owner", "team", "providers", "models", "deny_models", "budgets", "limits",
                        "expires", "created_at", "updated_at", "rotated_at", "revoked_at", "revoked_by",
                        "revoke_reason", "revision"})
    if (k.contains(f)) std::printf("%-14s %s\n", (std::string(f) + ":").c_str(), str(k, f).c_str());
}

// Prints the record (or JSON) and, when the response carries one, the secret shown once.
int print_key_reply(const AdminOptions& o, const json& body, const char* verb) {
  if (o.json) {
    std::cout << body.dump(2) << "\n";
    return 0;
  }
  std::printf("%s key %s\n", verb, str(body, "id").c_str());
  if (body.contains("secret")) {
    std::printf("\nSecret (shown once; store it now, the server keeps only its hash):\n\n  %s\n\n",
                body["secret"].get<std::string>().c_str());
  }
  print_key(body);
  return 0;
}

int run(const AdminOptions& o, const std::string& method, const std::string& path, const std::string& body,
        const std::function<int(const json&)>& show) {
  auto r = admin_request(o, method, path, body);
  if (!r) return print_error(r.error().message);
  return show(r->body);
}

}  // namespace

void add_admin_keys_commands(CLI::App& admin, std::shared_ptr<AdminOptions> o, int& exit_code) {
  auto* keys = admin.add_subcommand("keys", "Central virtual keys: list, show, create, update, rotate, revoke, rm");
  keys->require_subcommand(1);

  auto team = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto* list = keys->add_subcommand("list", "List keys (revoked ones with --all)");
  list->add_option("--team", *team, "only the keys of this team");
  list->add_flag("--all", *all, "include revoked keys");
  list->callback([o, team, all, &exit_code] {
    std::string path = "/v1/admin/keys?include_revoked=" + std::string(*all ? "true" : "false");
    if (!team->empty()) path += "&team=" + url_encode(*team);
    exit_code = run(*o, "GET", path, "", [&](const json& b) {
      if (o->json) return std::cout << b.dump(2) << "\n", 0;
      std::vector<std::vector<std::string>> rows;
      for (const auto& k : b["keys"])
        rows.push_back({str(k, "id"), str(k, "status"), str(k, "owner"), str(k, "team"), str(k, "expires"), str(k, "revision")});
      print_table({"ID", "STATUS", "OWNER", "TEAM", "EXPIRES", "REV"}, rows);
      return 0;
    });
  });

  auto id = std::make_shared<std::string>();
  auto* show = keys->add_subcommand("show", "Show one key");
  show->add_option("ID", *id, "key id")->required();
  show->callback([o, id, &exit_code] {
    exit_code = run(*o, "GET", "/v1/admin/keys/" + url_encode(*id), "", [&](const json& b) {
      if (o->json) return std::cout << b.dump(2) << "\n", 0;
      print_key(b);
      return 0;
    });
  });

  auto fields = std::make_shared<KeyFields>();
  auto* create = keys->add_subcommand("create", "Issue a new key; its secret is printed once");
  create->add_option("ID", *id, "key id (letters, digits, _ - . @)")->required();
  add_field_options(create, *fields);
  create->callback([o, id, fields, &exit_code] {
    auto body = fields_body(*fields);
    if (!body) return void(exit_code = print_error(body.error().message));
    (*body)["id"] = *id;
    exit_code = run(*o, "POST", "/v1/admin/keys", body->dump(), [&](const json& b) { return print_key_reply(*o, b, "Created"); });
  });

  auto* update = keys->add_subcommand("update", "Change a key's fields (only the flags given)");
  update->add_option("ID", *id, "key id")->required();
  add_field_options(update, *fields);
  update->callback([o, id, fields, &exit_code] {
    auto body = fields_body(*fields);
    if (!body) return void(exit_code = print_error(body.error().message));
    if (body->empty()) return void(exit_code = print_error("nothing to change: give at least one field flag (see --help)"));
    exit_code = run(*o, "PATCH", "/v1/admin/keys/" + url_encode(*id), body->dump(),
                    [&](const json& b) { return print_key_reply(*o, b, "Updated"); });
  });

  auto* rotate = keys->add_subcommand("rotate", "Give a key a new secret (printed once); the old one stops working");
  rotate->add_option("ID", *id, "key id")->required();
  rotate->callback([o, id, &exit_code] {
    exit_code = run(*o, "POST", "/v1/admin/keys/" + url_encode(*id) + "/rotate", "",
                    [&](const json& b) { return print_key_reply(*o, b, "Rotated"); });
  });

  auto reason = std::make_shared<std::string>();
  auto* revoke = keys->add_subcommand("revoke", "Revoke a key for good (sidecars refuse it)");
  revoke->add_option("ID", *id, "key id")->required();
  revoke->add_option("--reason", *reason, "why (kept with the key and in the audit trail)");
  revoke->callback([o, id, reason, &exit_code] {
    exit_code = run(*o, "POST", "/v1/admin/keys/" + url_encode(*id) + "/revoke", json{{"reason", *reason}}.dump(),
                    [&](const json& b) { return print_key_reply(*o, b, "Revoked"); });
  });

  auto* rm = keys->add_subcommand("rm", "Delete a key record (revoke first to keep it listed)");
  rm->add_option("ID", *id, "key id")->required();
  rm->callback([o, id, &exit_code] {
    exit_code = run(*o, "DELETE", "/v1/admin/keys/" + url_encode(*id), "", [&](const json& b) {
      if (o->json) std::cout << b.dump(2) << "\n";
      else std::printf("Deleted key %s\n", id->c_str());
      return 0;
    });
  });
}

}  // namespace gw::cli
