#pragma once
// The built-in rule texts (gw TOML format), one per family, compiled into the binary. Internal to
// the scan module: use builtin_rules() from rule_loader.hpp.
#include <string_view>

namespace gw::scan::builtin {

std::string_view cloud_rules();      // AWS, GCP, Azure, DigitalOcean, Heroku, ...
std::string_view dev_rules();        // source hosting, package registries, CI
std::string_view ai_rules();         // AI model providers
std::string_view payments_rules();   // payment processors
std::string_view messaging_rules();  // chat, SMS and email delivery
std::string_view saas_rules();       // other SaaS APIs
std::string_view generic_rules();    // private keys, JWTs, database URLs, generic assignments
std::string_view pii_rules();        // email, phone, cards, IBAN, SSN, IP addresses

}  // namespace gw::scan::builtin
