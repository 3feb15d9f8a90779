#pragma once
// gw scan: the standalone scanner (files, directories, stdin) over the same engine as the sidecar.
#include <iosfwd>
#include <string>
#include <vector>

namespace gw::cli {

struct ScanCommandOptions {
  std::vector<std::string> rule_files;  // replace the built-in rules unless `builtin` is set
  bool builtin = false;                 // keep the built-in rules next to rule_files
  bool pii = false;                     // include the PII rules
  std::string format = "text";          // text | json | sarif
  std::string as = "text";              // text | anthropic | openai | gemini | auto
  std::vector<std::string> inputs;      // files, directories, "-" for stdin; empty = stdin
};

// Runs the scan; writes the report to out and problems to err. Returns 0 when nothing was found,
// 1 when something was, 2 on an error (unreadable input, bad rules, invalid JSON with --as).
int run_scan(const ScanCommandOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace gw::cli
