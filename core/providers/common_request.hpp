#pragma once
// Request-reading pieces shared by the providers.
#include <optional>
#include <string>

#include "core/http/message.hpp"
#include "core/providers/body_fields.hpp"

namespace gw::providers {

// The token of "Authorization: Bearer <token>", if any.
std::optional<std::string> bearer_token(const http::Headers& h);
// Reads body fields; an empty body or a non-object is an invalid_argument error.
Result<BodyFields> read_required_object(std::string_view body);
// The "model" string, or a precise invalid_argument error when missing or not a string.
Result<std::string> required_model(const BodyFields& f);
// Removes `name=...` from a query string; returns the removed value if any.
std::optional<std::string> take_query_param(std::string& query, std::string_view name);

}  // namespace gw::providers
