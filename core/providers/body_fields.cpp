#include "core/providers/body_fields.hpp"

#include "core/json/json_walk.hpp"

namespace gw::providers {

Result<BodyFields> read_body_fields(std::string_view body) {
  BodyFields f;
  auto top = json::top_level_members(body);
  if (!top) {
    // Distinguish "not JSON" from "JSON but not an object" for a precise message.
    if (auto v = json::validate(body); !v) return fail(Errc::invalid_argument, v.error().message);
    return f;
  }
  f.is_object = true;
  f.model_present = top->raw("model").has_value();
  f.model = top->string("model");
  f.stream = top->boolean("stream");
  f.max_tokens = top->integer("max_tokens");
  f.max_output_tokens = top->integer("max_output_tokens");
  f.max_completion_tokens = top->integer("max_completion_tokens");
  if (auto gc = top->raw("generationConfig")) {
    if (auto inner = json::top_level_members(*gc)) f.gemini_max_output_tokens = inner->integer("maxOutputTokens");
  }
  return f;
}

}  // namespace gw::providers
