// gw scan [--rules FILE]... [--format text|json|sarif] [--as text|anthropic|openai|gemini|auto] [PATH|-]...
#include "cli/commands/scan_cmd.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands/commands.hpp"
#include "core/scan/body_scan.hpp"
#include "core/scan/rule_loader.hpp"

namespace gw::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Input {
  std::string name;  // file path, or "-" for stdin
  std::string data;
};

struct Located {
  std::string file;
  scan::Finding f;
};

bool looks_binary(std::string_view data) {
  return data.substr(0, 8192).find('\0') != std::string_view::npos;
}

Status read_file(const fs::path& p, std::vector<Input>& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail(Errc::io, p.string() + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  if (!looks_binary(data)) out.push_back(Input{p.string(), std::move(data)});
  return {};
}

Status collect(const std::string& arg, std::istream& stdin_stream, std::vector<Input>& out) {
  if (arg == "-") {
    std::ostringstream ss;
    ss << stdin_stream.rdbuf();
    out.push_back(Input{"-", ss.str()});
    return {};
  }
  std::error_code ec;
  fs::path p(arg);
  if (fs::is_directory(p, ec)) {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && it->path().filename() == ".git") {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec)) files.push_back(it->path());
    }
    if (ec) return fail(Errc::io, arg + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) GW_CHECK(read_file(f, out));
    return {};
  }
  if (!fs::exists(p, ec)) return fail(Errc::not_found, arg + ": no such file or directory");
  return read_file(p, out);
}

json finding_json(const Located& l, const scan::Scanner& s) {
  const auto& f = l.f;
  json j = {{"file", l.file},          {"rule_id", f.rule_id},         {"category", scan::category_name(f.category)},
            {"offset", f.offset},      {"length", f.length},           {"line", f.line},
            {"column", f.column},      {"fingerprint", f.fingerprint}, {"entropy", f.entropy}};
  if (const scan::Rule* r = s.rule(f.rule_id)) j["description"] = r->description;
  if (!f.json_pointer.empty() || !f.json_path.empty()) {
    j["json_path"] = f.json_path;
    j["json_pointer"] = f.json_pointer;
  }
  return j;
}

json sarif(const std::vector<Located>& found, const scan::Scanner& s) {
  json rules = json::array();
  std::vector<std::string> ids;
  for (const auto& l : found)
    if (std::find(ids.begin(), ids.end(), l.f.rule_id) == ids.end()) ids.push_back(l.f.rule_id);
  for (const auto& id : ids) {
    const scan::Rule* r = s.rule(id);
    rules.push_back({{"id", id}, {"shortDescription", {{"text", r ? r->description : id}}}});
  }
  json results = json::array();
  for (const auto& l : found) {
    json region = {{"byteOffset", l.f.offset}, {"byteLength", l.f.length}};
    if (l.f.json_path.empty() && l.f.line > 0) {
      region["startLine"] = l.f.line;
      region["startColumn"] = l.f.column;
    }
    std::string where = l.f.json_path.empty() ? "" : " at " + l.f.json_path;
    results.push_back({{"ruleId", l.f.rule_id},
                       {"level", "error"},
                       {"message", {{"text", l.f.rule_id + where + " (fingerprint " + l.f.fingerprint + ")"}}},
                       {"locations", json::array({{{"physicalLocation",
                                                    {{"artifactLocation", {{"uri", l.file == "-" ? "stdin" : l.file}}},
                                                     {"region", region}}}}})},
                       {"partialFingerprints", {{"gwFingerprint/v1", l.f.fingerprint}}}});
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({{{"tool", {{"driver", {{"name", "gw"}, {"version", GW_VERSION}, {"rules", rules}}}}},
                                 {"results", results}}})}};
}

}  // namespace

int run_scan(const ScanCommandOptions& o, std::istream& in, std::ostream& out, std::ostream& err) {
  auto error = [&](const std::string& m) {
    err << "gw scan: " << m << "\n";
    return 2;
  };
  if (o.format != "text" && o.format != "json" && o.format != "sarif") return error("--format must be text, json or sarif");
  scan::BodyKind kind = scan::BodyKind::text;
  bool auto_kind = o.as == "auto";
  if (!auto_kind && (!scan::parse_body_kind(o.as, kind) || kind == scan::BodyKind::json))
    return error("--as must be text, anthropic, openai, gemini or auto");

  std::vector<scan::RuleSet> sets;
  if (o.rule_files.empty() || o.builtin) {
    auto b = scan::builtin_rules();
    if (!b) return error(b.error().message);
    sets.push_back(std::move(*b));
  }
  for (const auto& f : o.rule_files) {
    auto set = scan::load_rules_file(f);
    if (!set) return error(set.error().message);
    for (const auto& p : set->problems) err << "gw scan: warning: " << p << "\n";
    sets.push_back(std::move(*set));
  }
  scan::ScannerOptions so;
  so.include_pii = o.pii;
  auto scanner = scan::Scanner::create(sets, so);
  if (!scanner) return error(scanner.error().message);

  std::vector<Input> inputs;
  std::vector<std::string> args = o.inputs.empty() ? std::vector<std::string>{"-"} : o.inputs;
  for (const auto& a : args)
    if (auto st = collect(a, in, inputs); !st) return error(st.error().message);

  std::vector<Located> found;
  bool failed = false;
  for (const auto& input : inputs) {
    scan::BodyKind k = auto_kind ? scan::detect_body_kind(input.data) : kind;
    std::vector<scan::Finding> fs;
    if (k == scan::BodyKind::text && o.as == "text") {
      fs = (*scanner)->scan(input.data, scan::ScanContext{input.name == "-" ? "" : input.name});
    } else {
      auto r = scan::scan_body(**scanner, input.data, k);
      if (!r) {
        err << "gw scan: " << input.name << ": " << r.error().message << "\n";
        failed = true;
        continue;
      }
      fs = std::move(r->findings);
    }
    for (auto& f : fs) found.push_back(Located{input.name, std::move(f)});
  }

  if (o.format == "json") {
    json arr = json::array();
    for (const auto& l : found) arr.push_back(finding_json(l, **scanner));
    out << arr.dump(2) << "\n";
  } else if (o.format == "sarif") {
    out << sarif(found, **scanner).dump(2) << "\n";
  } else {
    for (const auto& l : found) {
      out << l.file << ":" << l.f.line << ":" << l.f.column << ": " << l.f.rule_id << " ("
          << scan::category_name(l.f.category) << ", fingerprint " << l.f.fingerprint << ", byte " << l.f.offset;
      if (!l.f.json_path.empty()) out << ", at " << l.f.json_path;
      out << ")\n";
    }
    err << "gw scan: " << inputs.size() << " input(s), " << found.size() << " finding(s)\n";
  }
  if (failed) return 2;
  return found.empty() ? 0 : 1;
}

void add_scan_command(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<ScanCommandOptions>();
  CLI::App* cmd = app.add_subcommand("scan", "Scan files, directories or stdin for secrets and personal data");
  cmd->add_option("--rules", opts->rule_files, "Rule file (gw or gitleaks TOML); repeatable; replaces the built-in rules");
  cmd->add_flag("--builtin", opts->builtin, "Keep the built-in rules next to --rules files");
  cmd->add_flag("--pii", opts->pii, "Also report personal data (emails, phone numbers, cards, IBANs, SSNs, IPs)");
  cmd->add_option("--format", opts->format, "Output format: text, json or sarif")->check(CLI::IsMember({"text", "json", "sarif"}));
  cmd->add_option("--as", opts->as, "Treat each input as: text, or a captured request body of anthropic, openai, gemini, or auto")
      ->check(CLI::IsMember({"text", "anthropic", "openai", "gemini", "auto"}));
  cmd->add_option("inputs", opts->inputs, "Files or directories to scan, '-' for stdin (the default)");
  cmd->callback([opts, &ctx] { ctx.exit_code = run_scan(*opts, std::cin, std::cout, std::cerr); });
}

}  // namespace gw::cli
