// gw audit tail [-n N] [-f] [--json]   : the last N records of the local audit spool, one per line
// gw audit show ID|SEQ                 : one record, pretty-printed
// gw audit verify                      : checks the hash chain, sequence and checkpoint signatures;
//                                        names each problem (seq, file:line, what); exit 1 if any
// gw audit export --format jsonl|ocsf|ecs [--since TIME] : events as JSON lines on stdout
// All take --dir (default: <state dir>/audit) and read the spool without locking it: the writer
// only appends, and a torn last line is skipped (tail/show/export) or reported (verify).
#include <chrono>
#include <deque>
#include <iostream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/commands/cli_util.hpp"
#include "cli/commands/commands.hpp"
#include "core/audit/device_key.hpp"
#include "core/audit/export.hpp"
#include "core/audit/record.hpp"
#include "core/audit/segments.hpp"
#include "core/audit/verify.hpp"
#include "core/common/clock.hpp"

namespace gw::cli {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

struct AuditOptions {
  std::string dir;
  std::string key_dir;
  int tail_n = 20;
  bool follow = false;
  bool raw_json = false;
  std::string id;
  std::string format = "jsonl";
  std::string since;
};

Result<fs::path> spool_dir(const AuditOptions& o) {
  if (!o.dir.empty()) return fs::path(o.dir);
  GW_TRY(paths, resolve_paths());
  return paths.state_dir / "audit";
}

// One human line: seq, time, kind, who, what, outcome.
std::string summarize(const json& r) {
  std::string out = "#" + std::to_string(r.value("seq", uint64_t{0})) + "  " +
                    audit::rfc3339_ms(r.value("time_ms", int64_t{0})) + "  ";
  if (r.value("record", "") == "checkpoint") return out + "checkpoint (key " + r.value("key_id", "") + ")";
  auto add = [&](const std::string& v) {
    if (!v.empty()) out += v + "  ";
  };
  add(r.value("kind", ""));
  add(r.value("user", ""));
  add(r.value("agent", ""));
  std::string model = r.value("provider", "");
  if (r.contains("model")) model += "/" + r.value("model", "");
  add(model);
  if (r.contains("http_status")) add(std::to_string(r.value("http_status", 0)));
  add(r.value("decision", ""));
  if (auto u = r.find("usage"); u != r.end())
    add("in=" + std::to_string(u->value("input", 0)) + " out=" + std::to_string(u->value("output", 0)));
  if (r.contains("cost_nano_usd")) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "$%.6f", r.value("cost_nano_usd", int64_t{0}) / 1e9);
    add(buf);
  }
  add(r.value("reason", ""));
  add("id=" + r.value("id", ""));
  return out;
}

void print_record(const json& r, bool raw) { std::cout << (raw ? r.dump() : summarize(r)) << "\n"; }

// Calls visit(record) for every complete, parseable record with seq > after.
Status each_record(const fs::path& dir, uint64_t after, const std::function<void(const json&)>& visit) {
  return audit::for_each_line(dir, [&](const audit::RawLine& l) {
    if (!l.complete) return true;
    auto rec = audit::parse_record(l.bytes);
    if (rec && (*rec)["seq"].get<uint64_t>() > after) visit(*rec);
    return true;
  });
}

int run_tail(const AuditOptions& o) {
  auto dir = spool_dir(o);
  if (!dir) return print_error(dir.error().message);
  std::deque<json> last;
  uint64_t seen = 0;
  auto st = each_record(*dir, 0, [&](const json& r) {
    seen = std::max(seen, r["seq"].get<uint64_t>());
    last.push_back(r);
    if (last.size() > static_cast<size_t>(std::max(o.tail_n, 0))) last.pop_front();
  });
  if (!st) return print_error(st.error().message);
  for (const auto& r : last) print_record(r, o.raw_json);
  std::cout.flush();
  while (o.follow) {  // poll: the spool is append-only, so new records have higher seqs
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    (void)each_record(*dir, seen, [&](const json& r) {
      seen = std::max(seen, r["seq"].get<uint64_t>());
      print_record(r, o.raw_json);
    });
    std::cout.flush();
  }
  return 0;
}

int run_show(const AuditOptions& o) {
  auto dir = spool_dir(o);
  if (!dir) return print_error(dir.error().message);
  bool numeric = !o.id.empty() && o.id.find_first_not_of("0123456789") == std::string::npos;
  std::optional<json> found;
  auto st = each_record(*dir, 0, [&](const json& r) {
    if (found) return;
    if (numeric ? std::to_string(r["seq"].get<uint64_t>()) == o.id : r.value("id", "") == o.id) found = r;
  });
  if (!st) return print_error(st.error().message);
  if (!found) return print_error("no audit record with " + std::string(numeric ? "seq " : "id ") + o.id + " in " + dir->string());
  std::cout << found->dump(2) << "\n";
  return 0;
}

int run_verify(const AuditOptions& o) {
  auto dir = spool_dir(o);
  if (!dir) return print_error(dir.error().message);
  fs::path key_dir = o.key_dir.empty() ? dir->parent_path() : fs::path(o.key_dir);
  audit::FileDeviceKeyStore store(key_dir);
  auto key = store.load_public();
  if (!key) return print_error(key.error().message);
  auto rep = audit::verify_spool(*dir, *key);
  for (const auto& p : rep.problems)
    std::cout << "[" << audit::to_string(p.kind) << "] " << p.message << "\n";
  for (const auto& n : rep.notes) std::cout << "note: " << n << "\n";
  if (!rep.ok()) {
    std::cout << "FAILED: " << rep.problems.size() << " problem(s) in " << dir->string() << "\n";
    return 1;
  }
  std::cout << "OK: " << rep.records << " records (seq " << rep.first_seq << ".." << rep.last_seq
            << "), " << rep.checkpoints << " checkpoints signed by device key " << key->key_id()
            << ", chain intact\n";
  return 0;
}

int run_export(const AuditOptions& o) {
  auto dir = spool_dir(o);
  if (!dir) return print_error(dir.error().message);
  auto format = audit::parse_export_format(o.format);
  if (!format) return print_error(format.error().message);
  int64_t since = 0;
  if (!o.since.empty()) {
    auto s = audit::parse_since(o.since, SystemClock().now_ms());
    if (!s) return print_error(s.error().message);
    since = *s;
  }
  auto st = each_record(*dir, 0, [&](const json& r) {
    if (r.value("time_ms", int64_t{0}) < since) return;
    if (auto out = audit::export_record(r, *format)) std::cout << out->dump() << "\n";
  });
  if (!st) return print_error(st.error().message);
  return 0;
}

}  // namespace

void add_audit_command(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<AuditOptions>();
  auto* audit = app.add_subcommand("audit", "Read and verify the local audit trail");
  audit->require_subcommand(1);
  audit->add_option("--dir", opts->dir, "Spool directory (default: <state dir>/audit)");

  auto* tail = audit->add_subcommand("tail", "Show the latest audit records");
  tail->add_option("-n", opts->tail_n, "How many records")->capture_default_str();
  tail->add_flag("-f,--follow", opts->follow, "Keep printing new records as they are written");
  tail->add_flag("--json", opts->raw_json, "Print the stored JSON records");
  tail->callback([opts, &ctx] { ctx.exit_code = run_tail(*opts); });

  auto* show = audit->add_subcommand("show", "Show one record by event id or sequence number");
  show->add_option("ID", opts->id, "Event id (UUID) or sequence number")->required();
  show->callback([opts, &ctx] { ctx.exit_code = run_show(*opts); });

  auto* verify = audit->add_subcommand("verify", "Check the hash chain and checkpoint signatures");
  verify->add_option("--key-dir", opts->key_dir, "Folder holding device_key.pub (default: the spool's parent)");
  verify->callback([opts, &ctx] { ctx.exit_code = run_verify(*opts); });

  auto* exp = audit->add_subcommand("export", "Export events as JSON lines");
  exp->add_option("--format", opts->format, "jsonl | ocsf | ecs")->capture_default_str();
  exp->add_option("--since", opts->since, "Unix ms, RFC 3339 UTC time, or an age (15m, 2h, 7d)");
  exp->callback([opts, &ctx] { ctx.exit_code = run_export(*opts); });
}

}  // namespace gw::cli
