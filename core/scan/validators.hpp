#pragma once
// Checks a candidate must pass after its regex matched: checksums (Luhn, IBAN mod-97), value
// ranges (US SSN, IP addresses) and structure (JWT header). Pure functions, no allocation beyond
// small buffers.
#include <string_view>

#include "core/scan/rule.hpp"

namespace gw::scan {

// True when candidate passes validator v (always true for Validator::none).
bool validate_candidate(Validator v, std::string_view candidate);

bool luhn_valid(std::string_view digits_with_separators);
bool iban_valid(std::string_view iban_with_spaces);
bool us_ssn_valid(std::string_view ssn);
bool public_ipv4(std::string_view ip);   // a syntactically valid, globally routable IPv4 address
bool public_ipv6(std::string_view ip);   // valid IPv6, not loopback/link-local/unique-local/unspecified
bool jwt_shaped(std::string_view token); // header is base64url JSON with an "alg"
bool phone_plausible(std::string_view phone);  // 10 to 15 digits, not one repeated digit
bool email_plausible(std::string_view email);  // not a reserved example/test domain

}  // namespace gw::scan
