// [guardrails]: rule sources, custom rules, actions (resolved per rule at load), responses.
#include "core/config/guardrails_decode.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "core/scan/rule_loader.hpp"

namespace gw::config {

std::string_view to_string(Guardrails::ResponseAction a) {
  switch (a) {
    case Guardrails::ResponseAction::off: return "off";
    case Guardrails::ResponseAction::alert: return "alert";
    case Guardrails::ResponseAction::redact: return "redact";
  }
  return "?";
}

namespace detail {
namespace {

namespace fs = std::filesystem;

// An action as written in policy: the scan actions plus "off" (the rule does not run).
using PolicyAction = std::optional<scan::Action>;  // nullopt: off

bool parse_policy_action(const std::string& s, PolicyAction& out) {
  if (s == "off") return out = std::nullopt, true;
  scan::Action a;
  if (!scan::parse_action(s, a)) return false;
  out = a;
  return true;
}

constexpr const char* k_action_values = "must be one of block, redact, alert, off";

// A table of name -> action ("rules", "tags", "categories" under [guardrails.actions]).
std::map<std::string, PolicyAction> decode_action_map(ObjectReader& r, std::string_view key, Diagnostics& diag) {
  std::map<std::string, PolicyAction> out;
  const auto* t = r.table(key);
  if (!t) return out;
  std::string base = r.child(key);
  for (auto it = t->begin(); it != t->end(); ++it) {
    std::string path = path_key(base, it.key());
    PolicyAction a;
    if (!it.value().is_string())
      diag.error(path, std::string("must be a string, not ") + type_phrase(it.value()));
    else if (!parse_policy_action(it.value().get<std::string>(), a))
      diag.error(path, std::string(k_action_values) + "; got '" + it.value().get<std::string>() + "'");
    else
      out[it.key()] = a;
  }
  return out;
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// One [[guardrails.custom_rules]] table -> a compiled rule (category pii unless it says otherwise).
std::shared_ptr<const scan::Rule> decode_custom_rule(const nlohmann::json& j, const std::string& path,
                                                     Diagnostics& diag) {
  ObjectReader r(j, path, diag);
  if (!r.valid()) return nullptr;
  auto rule = std::make_shared<scan::Rule>();
  rule->category = scan::Category::pii;
  rule->source = "policy";
  bool ok = true;
  if (auto v = r.string("id", true)) rule->id = *v;
  else ok = false;
  if (auto v = r.string("description")) rule->description = *v;
  if (auto v = r.string("category")) {
    if (!scan::parse_category(*v, rule->category)) {
      diag.error(r.child("category"), "must be one of secret, pii, custom; got '" + *v + "'");
      ok = false;
    }
  }
  if (auto v = r.string("validator")) {
    if (!scan::parse_validator(*v, rule->validator) || rule->validator == scan::Validator::none) {
      diag.error(r.child("validator"),
                 "must be one of luhn, iban, ssn, ipv4, ipv6, jwt, phone, email; got '" + *v + "'");
      ok = false;
    }
  }
  if (auto v = r.string_list("keywords")) {
    for (auto& k : *v) {
      std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      rule->keywords.push_back(k);
    }
  }
  if (auto v = r.string_list("tags")) rule->tags = *v;
  if (auto v = r.integer("secret_group", 0)) rule->secret_group = static_cast<int>(*v);
  if (const auto* e = r.raw("entropy")) {
    if (!e->is_number() || e->get<double>() < 0 || e->get<double>() > 8)
      diag.error(r.child("entropy"), "must be a number of bits per byte between 0 and 8");
    else
      rule->entropy = e->get<double>();
  }
  if (auto v = r.string("regex", true)) {
    auto re = scan::compile_rule_regex(*v, false);
    if (!re) {
      diag.error(r.child("regex"), "rule '" + rule->id + "': " + re.error().message);
      ok = false;
    } else if ((*re)->NumberOfCapturingGroups() < rule->secret_group) {
      diag.error(r.child("secret_group"), "rule '" + rule->id + "': the regex has only " +
                                              std::to_string((*re)->NumberOfCapturingGroups()) + " groups");
      ok = false;
    } else {
      rule->regex = std::move(*re);
    }
  } else {
    ok = false;
  }
  r.finish();
  return ok ? rule : nullptr;
}

struct Sources {
  std::vector<scan::RuleSet> sets;
  bool ok = true;
};

Sources load_sources(ObjectReader& g, const SourceDoc& doc, Diagnostics& diag) {
  Sources s;
  bool builtin = g.boolean("builtin_rules").value_or(true);
  bool builtin_pii = g.boolean("builtin_pii").value_or(true);
  bool skip_unusable = g.boolean("skip_unusable_rules").value_or(false);
  if (builtin) {
    auto b = scan::builtin_rules();
    if (!b) {
      diag.error(g.child("builtin_rules"), "the built-in rules do not load: " + b.error().message);
      s.ok = false;
    } else {
      if (!builtin_pii)
        std::erase_if(b->rules, [](const auto& r) { return r->category == scan::Category::pii; });
      s.sets.push_back(std::move(*b));
    }
  }
  if (auto files = g.string_list("rule_files")) {
    fs::path base = fs::path(doc.file).parent_path();
    for (size_t i = 0; i < files->size(); ++i) {
      fs::path p = (*files)[i];
      if (p.is_relative()) p = base / p;
      scan::LoadOptions lo;
      lo.strict = !skip_unusable;
      auto set = scan::load_rules_file(p, lo);
      if (!set) {
        diag.error(path_index(g.child("rule_files"), i), set.error().message);
        s.ok = false;
        continue;
      }
      s.sets.push_back(std::move(*set));
    }
  }
  if (const auto* custom = g.raw("custom_rules")) {
    std::string cpath = g.child("custom_rules");
    if (!custom->is_array()) {
      diag.error(cpath, "must be an array of tables ([[guardrails.custom_rules]]), not " + type_phrase(*custom));
      s.ok = false;
    } else {
      scan::RuleSet set;
      set.source = "policy";
      std::set<std::string> ids;
      for (size_t i = 0; i < custom->size(); ++i) {
        auto rule = decode_custom_rule((*custom)[i], path_index(cpath, i), diag);
        if (!rule) {
          s.ok = false;
          continue;
        }
        if (!ids.insert(rule->id).second) {
          diag.error(path_key(path_index(cpath, i), "id"), "duplicate custom rule id '" + rule->id + "'");
          s.ok = false;
          continue;
        }
        set.rules.push_back(std::move(rule));
      }
      s.sets.push_back(std::move(set));
    }
  }
  return s;
}

// The strongest action among a rule's tags that have one, or nothing.
std::optional<PolicyAction> tag_action(const scan::Rule& rule, const std::map<std::string, PolicyAction>& tags) {
  std::optional<PolicyAction> best;
  for (const auto& tag : rule.tags) {
    auto it = tags.find(tag);
    if (it == tags.end()) continue;
    const PolicyAction& a = it->second;
    // off < alert < redact < block
    auto rank = [](const PolicyAction& x) { return x ? static_cast<int>(*x) + 1 : 0; };
    if (!best || rank(a) > rank(*best)) best = a;
  }
  return best;
}

}  // namespace

Guardrails decode_guardrails(ObjectReader& root, const SourceDoc& doc, Diagnostics& diag) {
  Guardrails out;
  const auto* t = root.table("guardrails");
  if (!t) return out;
  ObjectReader g(*t, "guardrails", diag);
  bool enabled = g.boolean("enabled").value_or(true);

  if (auto v = g.string("on_unscannable")) {
    if (*v == "block") out.on_unscannable = Guardrails::OnUnscannable::block;
    else if (*v == "forward") out.on_unscannable = Guardrails::OnUnscannable::forward;
    else diag.error(g.child("on_unscannable"), "must be 'block' or 'forward'; got '" + *v + "'");
  }
  if (auto v = g.string_list("allow_fingerprints")) {
    for (size_t i = 0; i < v->size(); ++i) {
      const std::string& f = (*v)[i];
      if ((f.size() != 8 && f.size() != 16) || !is_hex(f))
        diag.error(path_index(g.child("allow_fingerprints"), i),
                   "must be a finding fingerprint: 16 (or its first 8) lowercase hex digits; got '" + f + "'");
      else
        out.actions.allowed_fingerprints.push_back(f);
    }
  }

  // [guardrails.actions]
  PolicyAction default_action = scan::Action::alert;
  std::map<std::string, PolicyAction> by_rule, by_tag, by_category_name;
  std::string actions_path = g.child("actions");
  if (const auto* a = g.table("actions")) {
    ObjectReader ar(*a, actions_path, diag);
    if (auto v = ar.string("default")) {
      if (!parse_policy_action(*v, default_action))
        diag.error(ar.child("default"), std::string(k_action_values) + "; got '" + *v + "'");
    }
    by_rule = decode_action_map(ar, "rules", diag);
    by_tag = decode_action_map(ar, "tags", diag);
    by_category_name = decode_action_map(ar, "categories", diag);
    ar.finish();
  }
  std::map<scan::Category, PolicyAction> by_category;
  for (const auto& [name, act] : by_category_name) {
    scan::Category c;
    if (scan::parse_category(name, c)) by_category[c] = act;
    else diag.error(path_key(path_key(actions_path, "categories"), name), "unknown category; use secret, pii or custom");
  }

  // [guardrails.responses]
  if (const auto* r = g.table("responses")) {
    ObjectReader rr(*r, g.child("responses"), diag);
    if (auto v = rr.string("action")) {
      if (*v == "off") out.response_action = Guardrails::ResponseAction::off;
      else if (*v == "alert") out.response_action = Guardrails::ResponseAction::alert;
      else if (*v == "redact") out.response_action = Guardrails::ResponseAction::redact;
      else diag.error(rr.child("action"), "must be one of alert, redact, off; got '" + *v + "'");
    }
    if (auto v = rr.integer("window_bytes", 64)) {
      if (*v > 1024 * 1024) diag.error(rr.child("window_bytes"), "must be <= 1048576, got " + std::to_string(*v));
      else out.response_window = static_cast<size_t>(*v);
    }
    rr.finish();
  }

  Sources sources = load_sources(g, doc, diag);
  g.finish();
  if (!sources.ok) return out;

  // Rules of later sets replace earlier ones with the same id (a rule file overrides a built-in).
  std::map<std::string, std::shared_ptr<const scan::Rule>> rules;
  std::set<std::string> tags;
  for (const auto& set : sources.sets)
    for (const auto& r : set.rules) rules[r->id] = r;
  for (const auto& [id, r] : rules) tags.insert(r->tags.begin(), r->tags.end());
  bool refs_ok = true;
  for (const auto& [id, _] : by_rule)
    if (!rules.count(id)) {
      diag.error(path_key(path_key(actions_path, "rules"), id),
                 "unknown rule id '" + id + "' (no built-in, rule-file or custom rule has this id)");
      refs_ok = false;
    }
  for (const auto& [tag, _] : by_tag)
    if (!tags.count(tag)) {
      diag.error(path_key(path_key(actions_path, "tags"), tag), "no rule has the tag '" + tag + "'");
      refs_ok = false;
    }
  if (!refs_ok) return out;

  // Resolve each rule's action once: rule id > tags (strongest) > category > default.
  scan::RuleSet active;
  active.source = "guardrails";
  for (const auto& [id, r] : rules) {
    PolicyAction act = default_action;
    if (auto it = by_rule.find(id); it != by_rule.end()) act = it->second;
    else if (auto ta = tag_action(*r, by_tag)) act = *ta;
    else if (auto ct = by_category.find(r->category); ct != by_category.end()) act = ct->second;
    if (!act) continue;  // off: the rule does not run at all
    out.actions.by_rule[id] = *act;
    active.rules.push_back(r);
  }
  for (const auto& set : sources.sets)
    active.allowlists.insert(active.allowlists.end(), set.allowlists.begin(), set.allowlists.end());
  out.actions.default_action = default_action.value_or(scan::Action::alert);

  auto scanner = scan::Scanner::create({active});
  if (!scanner) {
    diag.error("guardrails", "the rules cannot be combined: " + scanner.error().message);
    return out;
  }
  out.scanner = std::move(*scanner);
  out.enabled = enabled;
  return out;
}

}  // namespace detail
}  // namespace gw::config
