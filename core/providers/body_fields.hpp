#pragma once
// Reads the few top-level fields of a JSON request body the gateway decides on (model, stream,
// output caps), validating the whole document. Bodies reach 100 KB+ on every agent turn, so this
// avoids building a DOM of the conversation.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/result.hpp"

namespace gw::providers {

struct BodyFields {
  bool is_object = false;
  std::optional<std::string> model;      // set only when "model" is a JSON string
  bool model_present = false;            // "model" exists (of any type)
  std::optional<bool> stream;
  std::optional<int64_t> max_tokens;             // Anthropic, Chat
  std::optional<int64_t> max_output_tokens;      // Responses
  std::optional<int64_t> max_completion_tokens;  // Chat
  std::optional<int64_t> gemini_max_output_tokens;  // generationConfig.maxOutputTokens
};

// Errc::invalid_argument with "invalid JSON ..." when the body is not valid JSON.
Result<BodyFields> read_body_fields(std::string_view body);

}  // namespace gw::providers
