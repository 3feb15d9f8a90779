#include "core/providers/openai/openai_usage.hpp"

#include "core/providers/json_util.hpp"

namespace gw::providers {

static void read_responses_usage(const nlohmann::json& u, Usage& usage) {
  if (!u.is_object()) return;
  usage.reported = true;
  const auto& in_d = obj_at(u, "input_tokens_details");
  usage.cache_read = int_at(in_d, "cached_tokens");
  usage.cache_write_5m = int_at(in_d, "cache_write_tokens");
  usage.input = std::max<int64_t>(0, int_at(u, "input_tokens") - usage.cache_read - usage.cache_write_5m);
  usage.output = int_at(u, "output_tokens");
  usage.reasoning = int_at(obj_at(u, "output_tokens_details"), "reasoning_tokens");
}

void ResponsesUsageTap::on_event(const http::SseEvent& ev) {
  // The event name is repeated as data.type; Codex's streams name every event.
  std::string_view name = ev.event;
  if (name.empty()) {
    if (ev.data.find("\"response.completed\"") == std::string::npos &&
        ev.data.find("\"response.incomplete\"") == std::string::npos &&
        ev.data.find("\"response.failed\"") == std::string::npos)
      return;
  } else if (name != "response.completed" && name != "response.incomplete" && name != "response.failed") {
    return;
  }
  auto j = parse_lenient(ev.data);
  read_responses_usage(obj_at(obj_at(j, "response"), "usage"), m_usage);
  m_completed = true;
}

void ResponsesUsageTap::on_json_body(std::string_view body) {
  auto top = json::top_level_members(body);
  if (!top) return;
  read_responses_usage(usage_member(*top), m_usage);
  m_completed = top->raw("output").has_value();
}

static void read_chat_usage(const nlohmann::json& u, Usage& usage) {
  if (!u.is_object()) return;
  usage.reported = true;
  usage.cache_read = int_at(obj_at(u, "prompt_tokens_details"), "cached_tokens");
  usage.input = std::max<int64_t>(0, int_at(u, "prompt_tokens") - usage.cache_read);
  usage.output = int_at(u, "completion_tokens");
  usage.reasoning = int_at(obj_at(u, "completion_tokens_details"), "reasoning_tokens");
}

void ChatUsageTap::on_event(const http::SseEvent& ev) {
  if (ev.data == "[DONE]") {
    m_completed = true;
    return;
  }
  if (ev.data.find("\"usage\"") == std::string::npos) return;
  auto j = parse_lenient(ev.data);
  const auto& u = obj_at(j, "usage");
  if (u.is_object()) read_chat_usage(u, m_usage);
}

void ChatUsageTap::on_json_body(std::string_view body) {
  auto top = json::top_level_members(body);
  if (!top) return;
  read_chat_usage(usage_member(*top), m_usage);
  m_completed = top->raw("choices").has_value();
}

}  // namespace gw::providers
