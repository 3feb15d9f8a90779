#include "core/scan/actions.hpp"

#include <algorithm>

namespace gw::scan {

std::string_view action_name(Action a) {
  switch (a) {
    case Action::alert: return "alert";
    case Action::redact: return "redact";
    case Action::block: return "block";
  }
  return "?";
}

bool parse_action(std::string_view name, Action& out) {
  for (Action a : {Action::alert, Action::redact, Action::block})
    if (action_name(a) == name) return out = a, true;
  return false;
}

Action ActionPolicy::action_for(const Finding& f) const {
  if (auto it = by_rule.find(f.rule_id); it != by_rule.end()) return it->second;
  if (auto it = by_category.find(f.category); it != by_category.end()) return it->second;
  return default_action;
}

Decision decide(const std::vector<Finding>& findings, const ActionPolicy& policy) {
  Decision d;
  for (const auto& f : findings) {
    if (std::find(policy.allowed_fingerprints.begin(), policy.allowed_fingerprints.end(), f.fingerprint) !=
        policy.allowed_fingerprints.end())
      continue;
    Action a = policy.action_for(f);
    (a == Action::block ? d.block : a == Action::redact ? d.redact : d.alert).push_back(f);
    if (static_cast<int>(a) > static_cast<int>(d.action)) d.action = a;
  }
  return d;
}

std::string block_message(const std::vector<Finding>& blocked, size_t max_listed) {
  size_t secrets = 0;
  for (const auto& f : blocked) secrets += f.category != Category::pii;
  std::string what = secrets == blocked.size() ? (blocked.size() == 1 ? "a secret" : std::to_string(blocked.size()) + " secrets")
                     : secrets == 0 ? (blocked.size() == 1 ? "personal data" : std::to_string(blocked.size()) + " items of personal data")
                                    : std::to_string(blocked.size()) + " secrets or items of personal data";
  std::string msg = "gw blocked this request: it contains " + what + " (";
  for (size_t i = 0; i < blocked.size() && i < max_listed; ++i) {
    const auto& f = blocked[i];
    if (i) msg += "; ";
    msg += f.rule_id;
    if (!f.json_path.empty()) msg += " at " + f.json_path;
    if (f.line) msg += (f.json_path.empty() ? " at line " : " line ") + std::to_string(f.line);
    msg += ", fingerprint " + f.fingerprint.substr(0, 8);
  }
  if (blocked.size() > max_listed) msg += "; and " + std::to_string(blocked.size() - max_listed) + " more";
  msg += "). Remove " + std::string(blocked.size() == 1 ? "it" : "them") +
         " from the conversation, or ask your administrator to allowlist the fingerprint if it is "
         "not a secret.";
  return msg;
}

}  // namespace gw::scan
