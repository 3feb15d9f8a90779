#include "core/providers/anthropic/anthropic_usage.hpp"

#include "core/providers/json_util.hpp"

namespace gw::providers {

// Reads the fields present in `u` into usage; absent fields keep their previous value, so a
// message_delta that carries only output_tokens does not erase the input counts.
static void merge_usage(const nlohmann::json& u, Usage& usage) {
  if (!u.is_object()) return;
  usage.reported = true;
  if (u.contains("input_tokens")) usage.input = int_at(u, "input_tokens");
  if (u.contains("output_tokens")) usage.output = int_at(u, "output_tokens");
  if (u.contains("cache_read_input_tokens")) usage.cache_read = int_at(u, "cache_read_input_tokens");
  const auto& split = obj_at(u, "cache_creation");
  if (split.is_object()) {
    usage.cache_write_5m = int_at(split, "ephemeral_5m_input_tokens");
    usage.cache_write_1h = int_at(split, "ephemeral_1h_input_tokens");
  } else if (u.contains("cache_creation_input_tokens")) {
    usage.cache_write_5m = int_at(u, "cache_creation_input_tokens");
    usage.cache_write_1h = 0;
  }
}

void AnthropicUsageTap::on_event(const http::SseEvent& ev) {
  if (ev.event == "message_start") {
    auto j = parse_lenient(ev.data);
    merge_usage(obj_at(obj_at(j, "message"), "usage"), m_usage);
  } else if (ev.event == "message_delta") {
    auto j = parse_lenient(ev.data);
    merge_usage(obj_at(j, "usage"), m_usage);
  } else if (ev.event == "message_stop") {
    m_completed = true;
  }
  // content_block_* and ping events carry no usage and are not parsed.
}

void AnthropicUsageTap::on_json_body(std::string_view body) {
  auto top = json::top_level_members(body);
  if (!top) return;
  merge_usage(usage_member(*top), m_usage);
  m_completed = top->string("type") == "message";
}

}  // namespace gw::providers
