#pragma once
// The storage form of a key's and a team's structured fields (one JSON text column each), shared
// by the SQLite and PostgreSQL key directories so both read each other's rows. Money is kept in
// exact nano-USD. These texts are written only by gw, so decoding is lenient: a missing field
// keeps its default.
#include <string>
#include <vector>

#include "core/config/policy.hpp"

namespace gw::storage {

std::string access_to_text(const config::ModelAccess& access);
config::ModelAccess access_from_text(const std::string& text);
std::string budgets_to_text(const std::vector<config::Budget>& budgets);
std::vector<config::Budget> budgets_from_text(const std::string& text);
std::string limits_to_text(const config::RateLimits& limits);
config::RateLimits limits_from_text(const std::string& text);

}  // namespace gw::storage
