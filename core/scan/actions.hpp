#pragma once
// What policy does with findings: per rule id, else per category, else a default action.
// block > redact > alert: a request is refused if any finding's action is block; otherwise the
// findings whose action is redact are replaced by placeholders; every finding is reported.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/scan/scanner.hpp"

namespace gw::scan {

enum class Action { alert, redact, block };
std::string_view action_name(Action a);
bool parse_action(std::string_view name, Action& out);  // "alert" | "redact" | "block"

struct ActionPolicy {
  Action default_action = Action::alert;
  std::map<Category, Action> by_category;
  std::map<std::string, Action, std::less<>> by_rule;
  std::vector<std::string> allowed_fingerprints;  // known false positives: ignored entirely

  Action action_for(const Finding& f) const;
};

struct Decision {
  Action action = Action::alert;   // the strongest action over all findings (alert when none)
  std::vector<Finding> block;      // findings whose action is block
  std::vector<Finding> redact;     // ... redact
  std::vector<Finding> alert;      // ... alert
  bool empty() const { return block.empty() && redact.empty() && alert.empty(); }
};

Decision decide(const std::vector<Finding>& findings, const ActionPolicy& policy);

// The message a blocked agent shows: rule ids and where (JSON path, line), never values.
// e.g. "gw blocked this request: it contains a secret (aws-access-key-id at
// messages[3].content[0].content line 12, fingerprint 1a2b3c4d). Remove it from the
// conversation, or ask your administrator to allowlist the fingerprint if it is not a secret."
std::string block_message(const std::vector<Finding>& blocked, size_t max_listed = 5);

}  // namespace gw::scan
