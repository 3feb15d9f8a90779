// gw admin spend|audit|publish
#include <iostream>

#include "cli/commands/admin_client.hpp"
#include "cli/commands/cli_util.hpp"
#include "core/common/files.hpp"
#include "core/common/time_format.hpp"

namespace gw::cli {
using nlohmann::json;

namespace {

std::string usd(int64_t nano) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "$%.4f", static_cast<double>(nano) / 1e9);
  return buf;
}

struct AuditArgs {
  std::string since, until, device, key, user, kind, decision;
  uint64_t after = 0;
  size_t limit = 100;
  bool all = false;
};

}  // namespace

void add_admin_report_commands(CLI::App& admin, std::shared_ptr<AdminOptions> o, int& exit_code) {
  struct SpendArgs {
    std::string by = "key", since, until;
  };
  auto s = std::make_shared<SpendArgs>();
  auto* spend = admin.add_subcommand("spend", "Spend report from the completed requests the central stored");
  spend->add_option("--by", s->by, "key|team|model|day")->capture_default_str();
  spend->add_option("--since", s->since, "from (RFC 3339 date/date-time, or 30m, 24h, 7d back from now)");
  spend->add_option("--until", s->until, "until, exclusive (same forms)");
  spend->callback([o, s, &exit_code] {
    std::string path = "/v1/admin/spend?by=" + url_encode(s->by);
    if (!s->since.empty()) path += "&since=" + url_encode(s->since);
    if (!s->until.empty()) path += "&until=" + url_encode(s->until);
    auto r = admin_request(*o, "GET", path);
    if (!r) return void(exit_code = print_error(r.error().message));
    if (o->json) return void(std::cout << r->body.dump(2) << "\n");
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : r->body["rows"]) {
      std::string g = row.value(s->by, "");
      rows.push_back({g.empty() ? "(none)" : g, std::to_string(row.value("requests", 0)),
                      std::to_string(row.value("input_tokens", int64_t{0})), std::to_string(row.value("output_tokens", int64_t{0})),
                      usd(row.value("cost_nano_usd", int64_t{0}))});
    }
    const json& t = r->body["total"];
    rows.push_back({"TOTAL", std::to_string(t.value("requests", 0)), std::to_string(t.value("input_tokens", int64_t{0})),
                    std::to_string(t.value("output_tokens", int64_t{0})), usd(t.value("cost_nano_usd", int64_t{0}))});
    std::string head = s->by;
    for (auto& c : head) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    print_table({head, "REQUESTS", "INPUT", "OUTPUT", "COST"}, rows);
  });

  auto a = std::make_shared<AuditArgs>();
  auto* audit = admin.add_subcommand("audit", "Query the audit events the central stored (auditor or admin token)");
  audit->add_option("--since", a->since, "from (RFC 3339, or 30m, 24h, 7d back from now)");
  audit->add_option("--until", a->until, "until, exclusive");
  audit->add_option("--device", a->device, "device id");
  audit->add_option("--key", a->key, "virtual key id");
  audit->add_option("--user", a->user, "user");
  audit->add_option("--kind", a->kind, "admitted|completed|denied|alarm|policy_change|gap|admin");
  audit->add_option("--decision", a->decision, "allowed|denied|redacted");
  audit->add_option("--after", a->after, "start after this ingest position (paging)");
  audit->add_option("--limit", a->limit, "events per page (1..1000)")->capture_default_str();
  audit->add_flag("--all", a->all, "follow next_after until every matching event is printed");
  audit->callback([o, a, &exit_code] {
    uint64_t after = a->after;
    bool header = false;
    while (true) {
      std::string path = "/v1/admin/audit?limit=" + std::to_string(a->limit) + "&after=" + std::to_string(after);
      for (auto [k, v] : {std::pair<const char*, std::string*>{"since", &a->since}, {"until", &a->until},
                          {"device", &a->device}, {"key", &a->key}, {"user", &a->user}, {"kind", &a->kind},
                          {"decision", &a->decision}})
        if (!v->empty()) path += std::string("&") + k + "=" + url_encode(*v);
      auto r = admin_request(*o, "GET", path);
      if (!r) return void(exit_code = print_error(r.error().message));
      if (o->json) {
        for (const auto& e : r->body["events"]) std::cout << e.dump() << "\n";  // JSON lines
      } else {
        std::vector<std::vector<std::string>> rows;
        for (const auto& e : r->body["events"]) {
          const json& ev = e["event"];
          int64_t t = ev.is_object() ? ev.value("time_ms", int64_t{0}) : 0;
          std::string what = ev.value("kind", "") == "admin"
                                 ? ev.value("actor", "") + " " + ev.value("action", "") + " " + ev.value("target", "") + " " +
                                       ev.value("outcome", "")
                                 : ev.value("model", "") + " " + ev.value("decision", "") + " " + ev.value("reason", "");
          rows.push_back({std::to_string(e.value("position", uint64_t{0})), t ? utc_time(t / 1000) : "-",
                          e.value("device_id", ""), ev.value("kind", ""), ev.value("virtual_key_id", ""),
                          ev.value("user", ""), what});
        }
        if (!header || !rows.empty()) print_table({"POS", "TIME", "DEVICE", "KIND", "KEY", "USER", "DETAIL"}, rows);
        header = true;
      }
      const json& next = r->body["next_after"];
      if (!a->all || !next.is_number()) {
        if (!o->json && next.is_number())
          std::cerr << "more: rerun with --after " << next.get<uint64_t>() << " (or --all)\n";
        return;
      }
      after = next.get<uint64_t>();
    }
  });

  auto file = std::make_shared<std::string>();
  auto* publish = admin.add_subcommand("publish", "Publish a signed policy bundle (policy-author or admin token)");
  publish->add_option("BUNDLE", *file, "bundle file from gw policy sign")->required();
  publish->callback([o, file, &exit_code] {
    auto bytes = read_file(*file, 16u << 20);
    if (!bytes) return void(exit_code = print_error(bytes.error().message));
    auto r = admin_request(*o, "POST", "/v1/admin/policy/bundles", *bytes);
    if (!r) return void(exit_code = print_error(r.error().message));
    if (o->json) return void(std::cout << r->body.dump(2) << "\n");
    std::cout << (r->body.value("unchanged", false) ? "Already in force: " : "Published: ") << "policy version "
              << r->body["version"].dump() << " for " << r->body.value("org", "") << "\n";
  });
}

}  // namespace gw::cli
