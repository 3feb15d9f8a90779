#pragma once
// The [guardrails] section of a policy: which rules scan what leaves the machine, and what happens
// to a finding. Built once when the policy loads: rule files are read and every regex compiled
// into one immutable Scanner, and the action of every rule is resolved (rule id > tag > category
// > default), so a request only looks actions up by rule id. See docs/policy.md.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/scan/actions.hpp"
#include "core/scan/scanner.hpp"

namespace gw::config {

struct Guardrails {
  bool enabled = false;  // false when the policy has no [guardrails] section or enabled = false
  // Every rule whose resolved action is not "off" (built-in, rule files, custom rules).
  std::shared_ptr<const scan::Scanner> scanner;
  // Request findings: by_rule holds the resolved action of every rule of the scanner;
  // allowed_fingerprints are ignored entirely.
  scan::ActionPolicy actions;

  // What happens when a request body cannot be scanned (not valid JSON for its API).
  enum class OnUnscannable { block, forward } on_unscannable = OnUnscannable::block;

  // Model responses (streamed text deltas, non-streamed JSON replies).
  enum class ResponseAction { off, alert, redact } response_action = ResponseAction::alert;
  // Streamed text: the longest secret that can be found across events, and (redact only) the
  // most text held back before it reaches the agent.
  size_t response_window = 1024;
};

std::string_view to_string(Guardrails::ResponseAction a);

}  // namespace gw::config
