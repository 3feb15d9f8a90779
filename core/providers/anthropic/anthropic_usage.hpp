#pragma once
// Usage from Anthropic Messages responses. Stream: message_start.message.usage gives input and
// cache counts; the LAST message_delta.usage gives the cumulative output (newer streams repeat
// the input/cache fields there too); message_stop marks completion. JSON: top-level usage.
#include "core/providers/provider.hpp"

namespace gw::providers {

class AnthropicUsageTap final : public UsageTap {
public:
  void on_event(const http::SseEvent& ev) override;
  void on_json_body(std::string_view body) override;
};

}  // namespace gw::providers
