// Differential fuzzing of the window analysis and the capture-skip shortcut: the input is
// "pattern\ntext"; whenever RE2 accepts the pattern, scanning text in windows with shortcuts must
// find exactly what a whole-text scan without shortcuts finds. The rule carries gitleaks' generic
// allowlist (^[a-zA-Z_.-]+$) so that the capture skip applies whenever its premises hold.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/scan/regex_window.hpp"
#include "core/scan/rule_loader.hpp"
#include "core/scan/scanner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  if (nl == std::string_view::npos || nl > 512) return 0;
  std::string_view pattern = in.substr(0, nl), text = in.substr(nl + 1);
  (void)gw::scan::plan_windows(pattern);
  auto re = gw::scan::compile_rule_regex(pattern, false);
  if (!re) return 0;
  auto rule = std::make_shared<gw::scan::Rule>();
  rule->id = "fuzz";
  rule->regex = std::move(*re);
  gw::scan::Allowlist allow;
  allow.regexes.push_back(std::move(*gw::scan::compile_rule_regex("^[a-zA-Z_.-]+$", false)));
  rule->allowlists.push_back(std::move(allow));
  gw::scan::RuleSet set;
  set.rules.push_back(rule);
  gw::scan::ScannerOptions whole_text;
  whole_text.windows = false;
  whole_text.shortcuts = false;
  auto a = (*gw::scan::Scanner::create({set}))->scan(text);
  auto b = (*gw::scan::Scanner::create({set}, whole_text))->scan(text);
  if (a.size() != b.size()) std::abort();
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].offset != b[i].offset || a[i].length != b[i].length || a[i].match_offset != b[i].match_offset ||
        a[i].match_length != b[i].match_length)
      std::abort();
  return 0;
}
