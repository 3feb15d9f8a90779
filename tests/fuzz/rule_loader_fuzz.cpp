// Fuzzes the rule loaders (gw and gitleaks TOML): arbitrary text must load or fail with an error,
// never crash; a loaded set must build a Scanner that can scan its own source text, and scanning
// in windows around required literals must find exactly what whole-text scanning finds
// (a differential check of the regex analysis in core/scan/regex_window.cpp).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/scan/rule_loader.hpp"
#include "core/scan/scanner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int format = 0; format < 2; ++format) {
    auto set = format == 0 ? gw::scan::load_gw_rules(text, "fuzz.toml")
                           : gw::scan::load_gitleaks_rules(text, "fuzz.toml");
    if (!set) continue;
    gw::scan::ScannerOptions whole_text;
    whole_text.windows = false;
    auto windowed = gw::scan::Scanner::create({*set});
    auto whole = gw::scan::Scanner::create({*set}, whole_text);
    if (!windowed || !whole) continue;
    std::string_view sample = text.substr(0, 4096);
    auto a = (*windowed)->scan(sample), b = (*whole)->scan(sample);
    if (a.size() != b.size()) std::abort();
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].offset != b[i].offset || a[i].length != b[i].length || a[i].rule_id != b[i].rule_id ||
          a[i].match_offset != b[i].match_offset)
        std::abort();
  }
  return 0;
}
