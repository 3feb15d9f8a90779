#include "core/scan/validators.hpp"

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace gw::scan {
namespace {
std::string digits_of(std::string_view s) {
  std::string d;
  for (char c : s)
    if (c >= '0' && c <= '9') d.push_back(c);
  return d;
}
bool all_same(std::string_view d) {
  return !d.empty() && d.find_first_not_of(d[0]) == std::string_view::npos;
}
int b64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-' || c == '+') return 62;
  if (c == '_' || c == '/') return 63;
  return -1;
}
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

bool luhn_valid(std::string_view s) {
  std::string d = digits_of(s);
  if (d.size() < 12 || d.size() > 19 || all_same(d)) return false;
  int sum = 0;
  bool dbl = false;
  for (size_t i = d.size(); i-- > 0;) {
    int v = d[i] - '0';
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool iban_valid(std::string_view s) {
  std::string v;
  for (char c : s) {
    if (c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    v.push_back(c);
  }
  if (v.size() < 15 || v.size() > 34) return false;
  if (!(v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z')) return false;
  if (!(v[2] >= '0' && v[2] <= '9' && v[3] >= '0' && v[3] <= '9')) return false;
  std::string r = v.substr(4) + v.substr(0, 4);
  int rem = 0;
  for (char c : r) {
    if (c >= '0' && c <= '9') {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      int n = c - 'A' + 10;
      rem = (rem * 100 + n) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

bool us_ssn_valid(std::string_view s) {
  std::string d = digits_of(s);
  if (d.size() != 9) return false;
  int area = std::stoi(d.substr(0, 3)), group = std::stoi(d.substr(3, 2)), serial = std::stoi(d.substr(5));
  if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) return false;
  // Numbers published in advertising and widely misused as examples.
  if (d == "078051120" || d == "219099999" || d == "123456789") return false;
  return true;
}

bool public_ipv4(std::string_view ip) {
  std::string s(ip);
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
  uint32_t v = ntohl(a.s_addr);
  auto in = [&](uint32_t net, int bits) { return (v >> (32 - bits)) == (net >> (32 - bits)); };
  if (in(0x00000000, 8) || in(0x0A000000, 8) || in(0x7F000000, 8) || in(0xA9FE0000, 16) ||
      in(0xAC100000, 12) || in(0xC0A80000, 16) || in(0x64400000, 10) || in(0xC0000200, 24) ||
      in(0xC6336400, 24) || in(0xCB007100, 24) || in(0xE0000000, 4) || in(0xF0000000, 4))
    return false;
  return true;
}

bool public_ipv6(std::string_view ip) {
  std::string s(ip);
  size_t colons = 0;
  for (char c : s) colons += c == ':';
  if (colons < 2) return false;
  in6_addr a{};
  if (inet_pton(AF_INET6, s.c_str(), &a) != 1) return false;
  const uint8_t* b = a.s6_addr;
  static const uint8_t zero[16] = {};
  if (std::memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return false;  // :: and ::1
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return false;                       // fe80::/10
  if ((b[0] & 0xFE) == 0xFC) return false;                                        // fc00::/7
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return false; // 2001:db8::/32
  if (b[0] == 0xFF) return false;                                                 // multicast
  // Groups of hex words that happen to parse (e.g. "add:bad:cafe") are not worth reporting:
  // require at least four groups.
  return colons >= 3 || s.find("::") == std::string::npos;
}

bool jwt_shaped(std::string_view token) {
  size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot < 10) return false;
  std::string_view head = token.substr(0, dot);
  std::string json;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : head) {
    int v = b64url_value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      json.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return json.size() > 2 && json.front() == '{' && json.find("\"alg\"") != std::string::npos;
}

bool phone_plausible(std::string_view phone) {
  std::string d = digits_of(phone);
  return d.size() >= 10 && d.size() <= 15 && !all_same(d);
}

bool email_plausible(std::string_view email) {
  size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  std::string domain(email.substr(at + 1));
  for (auto& c : domain) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  static const char* k_reserved[] = {"example.com", "example.org", "example.net", ".example",
                                     ".test",       ".invalid",    ".localhost",  ".local"};
  for (const char* r : k_reserved) {
    if (r[0] == '.') {
      if (ends_with(domain, r)) return false;
    } else if (domain == r || ends_with(domain, std::string(".") + r)) {
      return false;
    }
  }
  return true;
}

bool validate_candidate(Validator v, std::string_view c) {
  switch (v) {
    case Validator::none: return true;
    case Validator::luhn: return luhn_valid(c);
    case Validator::iban: return iban_valid(c);
    case Validator::ssn: return us_ssn_valid(c);
    case Validator::ipv4: return public_ipv4(c);
    case Validator::ipv6: return public_ipv6(c);
    case Validator::jwt: return jwt_shaped(c);
    case Validator::phone: return phone_plausible(c);
    case Validator::email: return email_plausible(c);
  }
  return false;
}

}  // namespace gw::scan
