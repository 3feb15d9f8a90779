// Anthropic Messages API replies (streaming SSE and JSON), shaped like the stream Claude Code
// 2.1.197 accepted (shared/wire/sse-accepted.txt).
#include "tests/support/fake_provider/fake.hpp"

namespace gw::fake {
namespace {

json usage_json(const Usage& u, long output, bool with_details) {
  json j = {{"input_tokens", u.anthropic_input()},
            {"cache_creation_input_tokens", u.cache_write},
            {"cache_read_input_tokens", u.cache_read},
            {"output_tokens", output}};
  if (with_details) {
    j["cache_creation"] = {{"ephemeral_5m_input_tokens", u.cache_write},
                           {"ephemeral_1h_input_tokens", 0}};
    j["service_tier"] = "standard";
  }
  return j;
}

json content_block(const Plan& p) {
  if (p.tool_call)
    return {{"type", "tool_use"}, {"id", p.tool_id}, {"name", p.tool_name}, {"input", p.tool_input}};
  return {{"type", "text"}, {"text", p.text}};
}

}  // namespace

std::optional<json> anthropic_schema(const json& body) {
  for (const json* fmt : {body.contains("output_format") ? &body["output_format"] : nullptr,
                          body.contains("output_config") && body["output_config"].is_object() &&
                                  body["output_config"].contains("format")
                              ? &body["output_config"]["format"]
                              : nullptr})
    if (fmt && fmt->is_object() && fmt->value("type", "") == "json_schema" && fmt->contains("schema"))
      return (*fmt)["schema"];
  return std::nullopt;
}

void anthropic_messages(Call& call, const Plan& p) {
  std::string msg_id = call.ctx.new_id("msg_fake_");
  call.res.set_header("request-id", call.ctx.new_id("req_fake_"));
  call.res.set_header("anthropic-organization-id", "fake-org");
  const char* stop_reason = p.tool_call ? "tool_use" : "end_turn";
  if (!call.streaming) {
    json msg = {{"id", msg_id},         {"type", "message"},         {"role", "assistant"},
                {"model", p.model},     {"content", {content_block(p)}},
                {"stop_reason", stop_reason}, {"stop_sequence", nullptr},
                {"usage", usage_json(p.usage, p.usage.output, true)}};
    call.res.set_content(msg.dump(), "application/json");
    return;
  }
  std::vector<std::string> ev;
  std::vector<bool> delta;
  auto add = [&](const std::string& name, const json& data, bool is_delta = false) {
    ev.push_back(sse(name, data));
    delta.push_back(is_delta);
  };
  add("message_start",
      {{"type", "message_start"},
       {"message",
        {{"id", msg_id}, {"type", "message"}, {"role", "assistant"}, {"model", p.model},
         {"content", json::array()}, {"stop_reason", nullptr}, {"stop_sequence", nullptr},
         {"usage", usage_json(p.usage, 1, true)}}}});
  if (p.instream_error) {
    add("error", {{"type", "error"},
                  {"error", {{"type", "overloaded_error"}, {"message", "Overloaded (injected by fake_provider)"}}}});
    stream_events(call.res, std::move(ev), std::move(delta), p);
    return;
  }
  json start = p.tool_call ? json{{"type", "tool_use"}, {"id", p.tool_id}, {"name", p.tool_name},
                                  {"input", json::object()}}
                           : json{{"type", "text"}, {"text", ""}};
  add("content_block_start", {{"type", "content_block_start"}, {"index", 0}, {"content_block", start}});
  add("ping", {{"type", "ping"}});
  for (const std::string& d : p.deltas) {
    json dj = p.tool_call ? json{{"type", "input_json_delta"}, {"partial_json", d}}
                          : json{{"type", "text_delta"}, {"text", d}};
    add("content_block_delta", {{"type", "content_block_delta"}, {"index", 0}, {"delta", dj}}, true);
  }
  add("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}});
  add("message_delta", {{"type", "message_delta"},
                        {"delta", {{"stop_reason", stop_reason}, {"stop_sequence", nullptr}}},
                        {"usage", usage_json(p.usage, p.usage.output, false)}});
  add("message_stop", {{"type", "message_stop"}});
  stream_events(call.res, std::move(ev), std::move(delta), p);
}

}  // namespace gw::fake
