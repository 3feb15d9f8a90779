#include "core/providers/common_request.hpp"

namespace gw::providers {

std::optional<std::string> bearer_token(const http::Headers& h) {
  auto v = h.get("authorization");
  if (!v) return std::nullopt;
  std::string_view s = *v;
  if (s.size() > 7 && http::iequals(s.substr(0, 7), "bearer ")) {
    s.remove_prefix(7);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return std::string(s);
  }
  return std::nullopt;
}

Result<BodyFields> read_required_object(std::string_view body) {
  if (body.empty()) return fail(Errc::invalid_argument, "the request body is empty; a JSON object was expected");
  GW_TRY(f, read_body_fields(body));
  if (!f.is_object) return fail(Errc::invalid_argument, "the request body must be a JSON object");
  return f;
}

Result<std::string> required_model(const BodyFields& f) {
  if (!f.model_present) return fail(Errc::invalid_argument, "the request has no \"model\" field");
  if (!f.model) return fail(Errc::invalid_argument, "the request's \"model\" field must be a string");
  if (f.model->empty()) return fail(Errc::invalid_argument, "the request's \"model\" field is empty");
  return *f.model;
}

std::optional<std::string> take_query_param(std::string& query, std::string_view name) {
  std::optional<std::string> found;
  std::string kept;
  size_t i = 0;
  while (i <= query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string::npos) amp = query.size();
    std::string_view part = std::string_view(query).substr(i, amp - i);
    if (part.starts_with(name) && part.size() > name.size() && part[name.size()] == '=') {
      found = std::string(part.substr(name.size() + 1));
    } else if (!part.empty()) {
      if (!kept.empty()) kept += '&';
      kept += part;
    }
    i = amp + 1;
  }
  query = kept;
  return found;
}

}  // namespace gw::providers
