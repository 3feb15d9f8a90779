// Fuzzes the rule loaders (gw and gitleaks TOML): arbitrary text must load or fail with an error,
// never crash; a loaded set must build a Scanner that can scan its own source text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/scan/rule_loader.hpp"
#include "core/scan/scanner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int format = 0; format < 2; ++format) {
    auto set = format == 0 ? gw::scan::load_gw_rules(text, "fuzz.toml")
                           : gw::scan::load_gitleaks_rules(text, "fuzz.toml");
    if (!set) continue;
    auto scanner = gw::scan::Scanner::create({*set});
    if (scanner) (void)(*scanner)->scan(text.substr(0, 4096));
  }
  return 0;
}
