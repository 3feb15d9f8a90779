#pragma once
// The checks behind `gw doctor`. Each looks at one part of the installation and says what it
// found, and for anything wrong, how to fix it. Checks never print and never change anything.
#include <functional>
#include <string>
#include <string_view>
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
// on_check, when set, is told the title of each check as it starts (for a progress line).
std::vector<CheckResult> run_doctor_checks(const Paths& paths,
                                           const std::function<void(std::string_view)>& on_check = {});
// Who this device is logged in to the central gateway as (gw login), and whether the central
// still accepts the key (login_cmd.cpp).
CheckResult login_check(const Paths& paths);

}  // namespace gw::cli
