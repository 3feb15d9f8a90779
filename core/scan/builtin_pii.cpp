// Built-in pii rules (gw TOML rule format, see docs/scanning.md). Example secrets below are
// random strings in the documented shape of each credential; none is real.
#include "core/scan/builtin_rules.hpp"

namespace gw::scan::builtin {

std::string_view pii_rules() {
  static constexpr std::string_view k_text = R"gwrules([[rule]]
id = "email-address"
description = "Email address"
category = "pii"
regex = '''\b([A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24})\b'''
keywords = ["@"]
validator = "email"
examples = ['''contact jane.doe@acme-corp.com today''']
negatives = ['''user@example.com''', '''git@ host''', '''a@b''']

[[rule]]
id = "phone-number"
description = "Phone number (international +CC or North American format)"
category = "pii"
regex = '''(?:^|[^\w+])(\+[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){2,4}|\(\d{3}\)[ ]?\d{3}-\d{4}|\d{3}[.-]\d{3}[.-]\d{4})\b'''
validator = "phone"
examples = ['''call +44 20 7946 0958 now''', '''tel: (415) 555-2671''', '''415-555-2671''']
negatives = ['''version 1.2.3''', '''+1 2''', '''2024-01-15''']

[[rule]]
id = "payment-card-number"
description = "Payment card number (Luhn-valid Visa, Mastercard, Amex, Discover, JCB)"
category = "pii"
regex = '''\b(4\d{3}(?:[ -]?\d{4}){3}|5[1-5]\d{2}(?:[ -]?\d{4}){3}|2[2-7]\d{2}(?:[ -]?\d{4}){3}|3[47]\d{2}[ -]?\d{6}[ -]?\d{5}|6(?:011|5\d{2})(?:[ -]?\d{4}){3}|35\d{2}(?:[ -]?\d{4}){3})\b'''
validator = "luhn"
examples = ['''card 4111 1111 1111 1111 exp''', '''5500-0000-0000-0004''', '''378282246310005''']
negatives = ['''4111 1111 1111 1112''', '''1234 5678 9012 3456''']

[[rule]]
id = "iban"
description = "International Bank Account Number (mod-97 valid)"
category = "pii"
regex = '''\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b'''
validator = "iban"
examples = ['''IBAN: DE89 3704 0044 0532 0130 00''', '''GB82WEST12345698765432''']
negatives = ['''DE89 3704 0044 0532 0130 01''', '''AB12 CDEF''']

[[rule]]
id = "us-ssn"
description = "US Social Security number"
category = "pii"
regex = '''\b(\d{3}-\d{2}-\d{4})\b'''
keywords = ["-"]
validator = "us-ssn"
examples = ['''SSN 536-22-1234''']
negatives = ['''000-12-3456''', '''666-12-3456''', '''900-12-3456''', '''536-00-1234''', '''536-22-0000''']

[[rule]]
id = "ipv4-address"
description = "Public IPv4 address"
category = "pii"
regex = '''(?:^|[^\w.])((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})(?:[^\w.]|$)'''
keywords = ["."]
validator = "ipv4"
examples = ['''server at 8.8.4.4 port''', '''host=93.184.216.34''']
negatives = ['''127.0.0.1''', '''10.0.0.1''', '''192.168.1.20''', '''v1.2.3.4.5''', '''999.1.1.1''']

[[rule]]
id = "ipv6-address"
description = "Public IPv6 address"
category = "pii"
regex = '''(?:^|[^\w:.])((?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,7}:|(?:[0-9A-Fa-f]{1,4}:){1,6}(?::[0-9A-Fa-f]{1,4}){1,6})(?:[^\w:.]|$)'''
keywords = [":"]
validator = "ipv6"
examples = ['''addr 2606:4700:4700::1111 ok''', '''2a00:1450:4001:82b:0:0:0:200e''']
negatives = ['''::1''', '''fe80::1ff:fe23:4567:890a''', '''2001:db8::1''', '''std::vector''']
)gwrules";
  return k_text;
}

}  // namespace gw::scan::builtin
