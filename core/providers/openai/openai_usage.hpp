#pragma once
// Usage from OpenAI responses.
// Responses SSE: response.completed|incomplete|failed carry response.usage {input_tokens (incl.
// cached), input_tokens_details.{cached_tokens, cache_write_tokens}, output_tokens (incl.
// reasoning), output_tokens_details.reasoning_tokens}. Chat SSE: the chunk with "usage" (sent
// with stream_options.include_usage), then "data: [DONE]". JSON bodies carry the same "usage".
#include "core/providers/provider.hpp"

namespace gw::providers {

class ResponsesUsageTap final : public UsageTap {
public:
  void on_event(const http::SseEvent& ev) override;
  void on_json_body(std::string_view body) override;
};

class ChatUsageTap final : public UsageTap {
public:
  void on_event(const http::SseEvent& ev) override;
  void on_json_body(std::string_view body) override;
};

}  // namespace gw::providers
