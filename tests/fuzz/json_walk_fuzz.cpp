// Fuzzes the JSON walker: no crash, no overread, and the three entry points agree on validity;
// so does the unvalidated structural split (json_split.hpp) followed by validating each value.
// Checks that every reported string token lies inside the document and that decoding then
// re-encoding a string yields a string that validates and decodes to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/json/json_split.hpp"
#include "core/json/json_walk.hpp"

namespace {
struct Checker : gw::json::Visitor {
  std::string_view doc;
  bool toggle = false;
  void on_string(const gw::json::Path&, const gw::json::StringToken& t) override {
    if (t.offset + t.raw.size() > doc.size() || doc.data() + t.offset != t.raw.data()) std::abort();
    std::string dec = gw::json::decode_string(t.raw);
    std::string enc = gw::json::encode_string(dec);
    // Lone surrogates decode to U+FFFD, so compare after one normalising round.
    if (!gw::json::validate(enc)) std::abort();
    if (gw::json::decode_string(std::string_view(enc).substr(1, enc.size() - 2)) != dec) std::abort();
    gw::json::DecodedString ds(t.raw);
    if (ds.text() != dec) std::abort();
    auto [b, e] = ds.raw_span(0, ds.text().size());
    if (b != 0 || e != t.raw.size()) std::abort();
  }
  bool wants_keys() const override { return true; }
  void on_key(const gw::json::Path& p, const gw::json::StringToken& t) override {
    (void)gw::json::to_pointer(p);
  }
  bool enter(const gw::json::Path& p, gw::json::Type) override {
    toggle = !toggle;
    (void)gw::json::to_display(p);
    return toggle;
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view doc(reinterpret_cast<const char*>(data), size);
  bool valid = gw::json::validate(doc, 64).has_value();
  Checker c;
  c.doc = doc;
  bool walked = gw::json::walk(doc, c, 64).has_value();
  if (valid != walked) std::abort();
  auto top = gw::json::top_level_members(doc, 64);
  if (top) {
    if (!valid) std::abort();
    for (const auto& m : top->members) {
      if (m.offset + m.raw.size() > doc.size()) std::abort();
      if (!gw::json::validate(m.raw, 64)) std::abort();
    }
  } else if (valid && !doc.empty()) {
    // Valid but not an object: allowed to fail; nothing more to check.
  }
  // The split accepts an object exactly when the whole-document parse does (values validated on
  // their own, arrays split one level further, as scan_body() does).
  std::vector<gw::json::RawMember> members;
  bool split_ok = gw::json::split_object(doc, members);
  std::vector<gw::json::Element> elems;
  for (size_t i = 0; split_ok && i < members.size(); ++i) {
    const auto& m = members[i];
    if (m.offset + m.raw.size() > doc.size() || doc.data() + m.offset != m.raw.data()) std::abort();
    if (m.type == gw::json::Type::array && gw::json::split_array(m.raw, elems)) {
      for (const auto& e : elems) {
        if (e.offset + e.raw.size() > m.raw.size()) std::abort();
        split_ok = split_ok && gw::json::validate(e.raw, 62).has_value();
      }
    } else {
      split_ok = gw::json::validate(m.raw, 63).has_value();
    }
  }
  if (split_ok != top.has_value()) std::abort();
  return 0;
}
