#pragma once
// The checks behind `gw doctor`. Each looks at one part of the installation and says what it
// found, and for anything wrong, how to fix it. Checks never print and never change anything.
#include <string>
#include <vector>

#include "core/common/paths.hpp"

namespace gw::cli {

enum class Verdict { ok, info, warn, fail };  // fail: gw cannot work as configured
std::string_view to_string(Verdict v);

struct CheckResult {
  std::string id;      // stable, for fleet tooling: agents, sidecar, policy, central, ...
  std::string title;
  Verdict verdict = Verdict::ok;
  std::string detail;  // what was found
  std::string fix;     // what to do; empty when nothing is wrong
};

// Runs every check in order: agents, sidecar, policy, central, credentials, keychain, spool, port.
std::vector<CheckResult> run_doctor_checks(const Paths& paths);

}  // namespace gw::cli
