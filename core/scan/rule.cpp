#include "core/scan/rule.hpp"

#include "core/scan/rule_loader.hpp"

namespace gw::scan {

std::string_view category_name(Category c) {
  switch (c) {
    case Category::secret: return "secret";
    case Category::pii: return "pii";
    case Category::custom: return "custom";
  }
  return "?";
}

bool parse_category(std::string_view name, Category& out) {
  for (Category c : {Category::secret, Category::pii, Category::custom})
    if (category_name(c) == name) return out = c, true;
  return false;
}

namespace {
constexpr Validator k_validators[] = {Validator::none, Validator::luhn,  Validator::iban,
                                      Validator::ssn,  Validator::ipv4,  Validator::ipv6,
                                      Validator::jwt,  Validator::phone, Validator::email};
}

std::string_view validator_name(Validator v) {
  switch (v) {
    case Validator::none: return "none";
    case Validator::luhn: return "luhn";
    case Validator::iban: return "iban";
    case Validator::ssn: return "us-ssn";
    case Validator::ipv4: return "ipv4";
    case Validator::ipv6: return "ipv6";
    case Validator::jwt: return "jwt";
    case Validator::phone: return "phone";
    case Validator::email: return "email";
  }
  return "?";
}

bool parse_validator(std::string_view name, Validator& out) {
  for (Validator v : k_validators)
    if (validator_name(v) == name) return out = v, true;
  return false;
}

const RE2* Rule::compiled() const {
  if (regex || deferred_pattern.empty()) return regex.get();
  std::call_once(m_once, [this] {
    auto re = compile_rule_regex(deferred_pattern, false);
    if (re) m_deferred = std::move(*re);
  });
  return m_deferred.get();
}

}  // namespace gw::scan
