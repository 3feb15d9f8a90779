// Rule files in gw's TOML format and in gitleaks' format, both into the common Rule model.
#include "core/scan/rule_loader.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "core/config/toml_include.hpp"  // toml++, non-throwing and header-only

namespace gw::scan {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

// "file:line:col: " for a node.
std::string where(std::string_view source, const toml::node& n) {
  const auto& b = n.source().begin;
  return std::string(source) + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) + ": ";
}

// Reads the conventions shared by both formats; `keys` maps the concept to the format's key name.
struct KeyNames {
  const char* regex_target;  // "target" (gw) or "regexTarget" (gitleaks)
  const char* target_rules;  // "rules" (gw) or "targetRules" (gitleaks)
  bool go_syntax;
};

struct Loader {
  std::string_view source;
  KeyNames keys;

  Result<std::vector<std::string>> strings(const toml::node& n, std::string_view what) {
    const toml::array* a = n.as_array();
    if (!a) return fail(Errc::config, where(source, n) + std::string(what) + ": expected an array of strings");
    std::vector<std::string> out;
    for (const auto& e : *a) {
      auto s = e.value<std::string>();
      if (!s) return fail(Errc::config, where(source, e) + std::string(what) + ": expected a string");
      out.push_back(*s);
    }
    return out;
  }

  Result<std::string> string(const toml::node& n, std::string_view what) {
    auto s = n.value<std::string>();
    if (!s) return fail(Errc::config, where(source, n) + std::string(what) + ": expected a string");
    return *s;
  }

  // The keys both rule formats share (description, keywords, tags and the secret group, named
  // group_key): true when f is one of them and was read into r.
  Result<bool> shared_key(Rule& r, std::string_view f, std::string_view group_key, const toml::node& v,
                          const std::string& what) {
    if (f == "description") {
      GW_TRY(s, string(v, what));
      r.description = std::move(s);
    } else if (f == "keywords" || f == "tags") {
      GW_TRY(s, strings(v, what));
      (f == "tags" ? r.tags : r.keywords) = std::move(s);
    } else if (f == group_key) {
      auto g = v.value<int64_t>();
      if (!g) return fail(Errc::config, where(source, v) + what + ": expected an integer");
      r.secret_group = static_cast<int>(*g);
    } else {
      return false;
    }
    return true;
  }

  Result<std::unique_ptr<RE2>> regex(const toml::node& n, std::string_view what) {
    GW_TRY(pattern, string(n, what));
    auto re = compile_rule_regex(pattern, keys.go_syntax);
    if (!re) return fail(Errc::config, where(source, n) + std::string(what) + ": " + re.error().message);
    return std::move(*re);
  }

  Result<std::vector<std::unique_ptr<RE2>>> regexes(const toml::node& n, std::string_view what) {
    GW_TRY(list, strings(n, what));
    std::vector<std::unique_ptr<RE2>> out;
    for (size_t i = 0; i < list.size(); ++i) {
      auto re = compile_rule_regex(list[i], keys.go_syntax);
      if (!re)
        return fail(Errc::config, where(source, *n.as_array()->get(i)) + std::string(what) + "[" +
                                      std::to_string(i) + "]: " + re.error().message);
      out.push_back(std::move(*re));
    }
    return out;
  }

  Result<Allowlist> allowlist(const toml::table& t, std::string_view ctx, bool global, bool strict_keys) {
    Allowlist al;
    for (auto&& [k, v] : t) {
      std::string key(k.str());
      std::string what = std::string(ctx) + "." + key;
      if (key == "description") {
        GW_TRY(s, string(v, what));
        al.description = s;
      } else if (key == "regexes") {
        GW_TRY(r, regexes(v, what));
        al.regexes = std::move(r);
      } else if (key == "paths") {
        GW_TRY(r, regexes(v, what));
        al.paths = std::move(r);
      } else if (key == "stopwords") {
        GW_TRY(s, strings(v, what));
        for (auto& w : s) al.stopwords.push_back(lower(w));
      } else if (key == "commits") {
        GW_TRY(s, strings(v, what));
        al.commits = s;
      } else if (key == "fingerprints" && !keys.go_syntax) {
        GW_TRY(s, strings(v, what));
        al.fingerprints = s;
      } else if (key == keys.regex_target) {
        GW_TRY(s, string(v, what));
        std::string l = lower(s);
        if (l == "secret" || l.empty()) al.target = Allowlist::Target::secret;
        else if (l == "match") al.target = Allowlist::Target::match;
        else if (l == "line") al.target = Allowlist::Target::line;
        else return fail(Errc::config, where(source, v) + what + ": must be \"secret\", \"match\" or \"line\"");
      } else if (key == "condition") {
        GW_TRY(s, string(v, what));
        std::string l = lower(s);
        if (l == "and") al.condition_and = true;
        else if (l == "or" || l.empty()) al.condition_and = false;
        else return fail(Errc::config, where(source, v) + what + ": must be \"OR\" or \"AND\"");
      } else if (global && key == keys.target_rules) {
        GW_TRY(s, strings(v, what));
        al.target_rules = s;
      } else if (strict_keys) {
        return fail(Errc::config, where(source, v) + what + ": unknown key");
      }
    }
    if (al.empty())
      return fail(Errc::config, where(source, t) + std::string(ctx) +
                                    ": an allowlist needs at least one of regexes, paths, stopwords, commits" +
                                    (keys.go_syntax ? "" : ", fingerprints"));
    return al;
  }

  // Allowlists under key `name` of table t: an array of tables or (older gitleaks) one table.
  Status allowlists_into(const toml::node& n, std::string_view ctx, bool global, bool strict_keys,
                         std::vector<Allowlist>& out) {
    if (const toml::table* t = n.as_table()) {
      GW_TRY(al, allowlist(*t, ctx, global, strict_keys));
      out.push_back(std::move(al));
      return {};
    }
    const toml::array* a = n.as_array();
    if (!a) return fail(Errc::config, where(source, n) + std::string(ctx) + ": expected a table or array of tables");
    for (size_t i = 0; i < a->size(); ++i) {
      const toml::table* t = a->get(i)->as_table();
      if (!t) return fail(Errc::config, where(source, *a->get(i)) + std::string(ctx) + ": expected a table");
      GW_TRY(al, allowlist(*t, std::string(ctx) + "[" + std::to_string(i) + "]", global, strict_keys));
      out.push_back(std::move(al));
    }
    return {};
  }
};

Result<toml::table> parse_toml(std::string_view text, std::string_view source) {
  toml::parse_result r = toml::parse(text, source);
  if (!r) {
    const auto& e = r.error();
    return fail(Errc::config, std::string(source) + ":" + std::to_string(e.source().begin.line) + ":" +
                                  std::to_string(e.source().begin.column) + ": " +
                                  std::string(e.description()));
  }
  return std::move(r).table();
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return false;
  return true;
}

// Fields common to both formats once read; checks the secret group fits the regex.
Status finish_rule(Rule& r, std::string_view source, const toml::table& t) {
  if (!r.has_regex() && !r.path)
    return fail(Errc::config, where(source, t) + "rule '" + r.id + "': needs a regex or a path");
  if (r.regex && r.secret_group > r.regex->NumberOfCapturingGroups())
    return fail(Errc::config, where(source, t) + "rule '" + r.id + "': secret group " +
                                  std::to_string(r.secret_group) + " but the regex has only " +
                                  std::to_string(r.regex->NumberOfCapturingGroups()) + " groups");
  if (r.secret_group < 0)
    return fail(Errc::config, where(source, t) + "rule '" + r.id + "': secret group must be >= 0");
  for (auto& k : r.keywords) k = lower(k);
  return {};
}

}  // namespace

// ---- gw format ----------------------------------------------------------------------------

Result<RuleSet> load_gw_rules(std::string_view text, std::string_view source, const LoadOptions& options) {
  GW_TRY(doc, parse_toml(text, source));
  Loader L{source, {"target", "rules", false}};
  RuleSet set;
  set.source = std::string(source);
  std::set<std::string> ids;
  for (auto&& [k, v] : doc) {
    std::string key(k.str());
    if (key == "title" || key == "description" || key == "version") continue;
    if (key == "allowlist") {
      std::vector<Allowlist> als;
      GW_CHECK(L.allowlists_into(v, "allowlist", true, true, als));
      for (auto& a : als) set.allowlists.push_back(std::make_shared<const Allowlist>(std::move(a)));
      continue;
    }
    if (key != "rule") return fail(Errc::config, where(source, v) + key + ": unknown key (expected [[rule]] or [[allowlist]])");
    const toml::array* rules = v.as_array();
    if (!rules) return fail(Errc::config, where(source, v) + "rule: expected [[rule]] tables");
    for (const auto& node : *rules) {
      const toml::table* t = node.as_table();
      if (!t) return fail(Errc::config, where(source, node) + "rule: expected a table");
      auto r = std::make_shared<Rule>();
      r->source = set.source;
      auto id = (*t)["id"].value<std::string>();
      if (!id || !valid_id(*id))
        return fail(Errc::config, where(source, *t) + "rule: needs an id of letters, digits, '-', '_' or '.'");
      r->id = *id;
      if (!ids.insert(r->id).second)
        return fail(Errc::config, where(source, *t) + "rule '" + r->id + "': duplicate id");
      std::string ctx = "rule '" + r->id + "'";
      for (auto&& [rk, rv] : *t) {
        std::string f(rk.str());
        std::string what = ctx + ": " + f;
        if (f == "id") continue;
        GW_TRY(shared, L.shared_key(*r, f, "secret_group", rv, what));
        if (shared) continue;
        if (f == "category") {
          GW_TRY(s, L.string(rv, what));
          if (!parse_category(s, r->category))
            return fail(Errc::config, where(source, rv) + what + ": must be \"secret\", \"pii\" or \"custom\"");
        } else if (f == "regex" && options.defer_regex) {
          GW_TRY(s, L.string(rv, what));  // compiled by Rule::compiled(); "" is not a deferred pattern
          if (s.empty()) return fail(Errc::config, where(source, rv) + what + ": must not be empty");
          r->deferred_pattern = std::move(s);
        } else if (f == "regex") {
          GW_TRY(re, L.regex(rv, what));
          r->regex = std::move(re);
        } else if (f == "entropy") {
          auto e = rv.value<double>();
          if (!e || *e < 0 || *e > 8) return fail(Errc::config, where(source, rv) + what + ": expected a number from 0 to 8");
          r->entropy = *e;
        } else if (f == "path") {
          GW_TRY(re, L.regex(rv, what));
          r->path = std::move(re);
        } else if (f == "validator") {
          GW_TRY(s, L.string(rv, what));
          if (!parse_validator(s, r->validator))
            return fail(Errc::config, where(source, rv) + what + ": unknown validator (luhn, iban, us-ssn, ipv4, ipv6, jwt, phone, email)");
        } else if (f == "examples") {
          GW_TRY(s, L.strings(rv, what));
          r->examples = s;
        } else if (f == "negatives") {
          GW_TRY(s, L.strings(rv, what));
          r->negatives = s;
        } else if (f == "allowlist") {
          GW_CHECK(L.allowlists_into(rv, ctx + ": allowlist", false, true, r->allowlists));
        } else {
          return fail(Errc::config, where(source, rv) + what + ": unknown key");
        }
      }
      GW_CHECK(finish_rule(*r, source, *t));
      set.rules.push_back(std::move(r));
    }
  }
  return set;
}

// ---- gitleaks format -----------------------------------------------------------------------

namespace {

// One [[rules]] table; an error here skips just this rule (unless strict).
Result<std::shared_ptr<Rule>> gitleaks_rule(Loader& L, const toml::table& t, std::string_view source) {
  auto r = std::make_shared<Rule>();
  r->source = std::string(source);
  auto id = t["id"].value<std::string>();
  if (!id || id->empty()) return fail(Errc::config, where(source, t) + "rule without an id");
  r->id = *id;
  std::string ctx = "rule '" + r->id + "'";
  for (auto&& [rk, rv] : t) {
    std::string f(rk.str());
    std::string what = ctx + ": " + f;
    if (f == "id") continue;
    GW_TRY(shared, L.shared_key(*r, f, "secretGroup", rv, what));
    if (shared) continue;
    if (f == "regex") {
      GW_TRY(s, L.string(rv, what));
      if (s.empty()) continue;
      GW_TRY(re, L.regex(rv, what));
      r->regex = std::move(re);
    } else if (f == "entropy") {
      auto e = rv.value<double>();
      if (!e) return fail(Errc::config, where(source, rv) + what + ": expected a number");
      r->entropy = *e;
    } else if (f == "path") {
      GW_TRY(s, L.string(rv, what));
      if (s.empty()) continue;
      GW_TRY(re, L.regex(rv, what));
      r->path = std::move(re);
    } else if (f == "allowlists" || f == "allowlist") {
      GW_CHECK(L.allowlists_into(rv, ctx + ": " + f, false, false, r->allowlists));
    } else if (f == "report" || f == "skipReport") {
      continue;  // newer gitleaks reporting switches: no effect on matching
    } else {
      return fail(Errc::config, where(source, rv) + what + ": unknown key");
    }
  }
  GW_CHECK(finish_rule(*r, source, t));
  return r;
}

}  // namespace

Result<RuleSet> load_gitleaks_rules(std::string_view text, std::string_view source, const LoadOptions& options) {
  GW_TRY(doc, parse_toml(text, source));
  Loader L{source, {"regexTarget", "targetRules", true}};
  RuleSet set;
  set.source = std::string(source);
  for (auto&& [k, v] : doc) {
    std::string key(k.str());
    if (key == "title" || key == "minVersion" || key == "description") continue;
    if (key == "extend") {
      set.problems.push_back(where(source, v) + "[extend]: not supported (gw does not embed gitleaks' defaults); "
                                                "the rules of this file are loaded on their own");
      continue;
    }
    if (key == "allowlist" || key == "allowlists") {
      std::vector<Allowlist> als;
      auto st = L.allowlists_into(v, key, true, false, als);
      if (!st) return std::unexpected(st.error());
      for (auto& a : als) set.allowlists.push_back(std::make_shared<const Allowlist>(std::move(a)));
      continue;
    }
    if (key != "rules") {
      set.problems.push_back(where(source, v) + key + ": unknown key, ignored");
      continue;
    }
    const toml::array* rules = v.as_array();
    if (!rules) return fail(Errc::config, where(source, v) + "rules: expected [[rules]] tables");
    std::set<std::string> ids;
    for (const auto& node : *rules) {
      const toml::table* t = node.as_table();
      if (!t) return fail(Errc::config, where(source, node) + "rules: expected a table");
      auto r = gitleaks_rule(L, *t, source);
      if (!r) {
        if (options.strict) return std::unexpected(r.error());
        set.problems.push_back(r.error().message);
        continue;
      }
      if (!ids.insert((*r)->id).second) {
        std::string msg = where(source, *t) + "rule '" + (*r)->id + "': duplicate id";
        if (options.strict) return fail(Errc::config, msg);
        set.problems.push_back(msg + " (the later definition wins)");
        std::erase_if(set.rules, [&](const auto& x) { return x->id == (*r)->id; });
      }
      set.rules.push_back(std::move(*r));
    }
  }
  return set;
}

Result<RuleSet> load_rules(std::string_view text, std::string_view source, const LoadOptions& options) {
  // [[rules]] (gitleaks) vs [[rule]] (gw): look for the table header at a line start.
  size_t pos = 0;
  while ((pos = text.find("[[rule", pos)) != std::string_view::npos) {
    bool line_start = pos == 0 || text[pos - 1] == '\n' || text[pos - 1] == ' ' || text[pos - 1] == '\t';
    std::string_view rest = text.substr(pos + 6);
    if (line_start && rest.starts_with("s]]")) return load_gitleaks_rules(text, source, options);
    if (line_start && rest.starts_with("]]")) return load_gw_rules(text, source);
    pos += 6;
  }
  return load_gw_rules(text, source);
}

Result<RuleSet> load_rules_file(const std::filesystem::path& path, const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::io, path.string() + ": cannot open rule file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return fail(Errc::io, path.string() + ": read error");
  return load_rules(ss.str(), path.string(), options);
}

}  // namespace gw::scan
