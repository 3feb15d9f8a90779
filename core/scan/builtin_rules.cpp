// builtin_rules(): the built-in families loaded into one RuleSet.
#include "core/scan/builtin_rules.hpp"

#include "core/scan/rule_loader.hpp"

namespace gw::scan {

Result<RuleSet> builtin_rules() {
  struct Part {
    const char* name;
    std::string_view (*text)();
  };
  static constexpr Part k_parts[] = {
      {"builtin:cloud", builtin::cloud_rules},   {"builtin:dev", builtin::dev_rules},
      {"builtin:ai", builtin::ai_rules},         {"builtin:payments", builtin::payments_rules},
      {"builtin:messaging", builtin::messaging_rules}, {"builtin:saas", builtin::saas_rules},
      {"builtin:generic", builtin::generic_rules}, {"builtin:pii", builtin::pii_rules},
  };
  RuleSet all;
  all.source = "builtin";
  for (const auto& p : k_parts) {
    GW_TRY(set, load_gw_rules(p.text(), p.name, LoadOptions{.defer_regex = true}));
    for (auto& r : set.rules) {
      for (const auto& existing : all.rules)
        if (existing->id == r->id) return fail(Errc::internal, std::string(p.name) + ": duplicate rule id '" + r->id + "'");
      all.rules.push_back(std::move(r));
    }
    for (auto& a : set.allowlists) all.allowlists.push_back(std::move(a));
  }
  return all;
}

}  // namespace gw::scan
