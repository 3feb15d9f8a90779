// OpenAI Responses API (what Codex 0.169 uses) and Chat Completions replies.
#include <chrono>

#include "tests/support/fake_provider/fake.hpp"

namespace gw::fake {
namespace {

long now_s() {
  return long(std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count());
}

json responses_usage(const Usage& u) {
  json details = {{"cached_tokens", u.cache_read}};
  if (u.cache_write > 0) details["cache_write_tokens"] = u.cache_write;
  return {{"input_tokens", u.total_input},
          {"input_tokens_details", details},
          {"output_tokens", u.output},
          {"output_tokens_details", {{"reasoning_tokens", u.reasoning}}},
          {"total_tokens", u.total_input + u.output}};
}

json chat_usage(const Usage& u) {
  return {{"prompt_tokens", u.total_input},
          {"completion_tokens", u.output},
          {"total_tokens", u.total_input + u.output},
          {"prompt_tokens_details", {{"cached_tokens", u.cache_read}}},
          {"completion_tokens_details", {{"reasoning_tokens", u.reasoning}}}};
}

std::string data_line(const json& j) { return "data: " + j.dump() + "\n\n"; }

// `a` with the members of `b` added (nlohmann's update() returns void).
json with(json a, const json& b) {
  a.update(b);
  return a;
}

}  // namespace

std::optional<json> responses_schema(const json& body) {
  if (!body.contains("text") || !body["text"].is_object() || !body["text"].contains("format"))
    return std::nullopt;
  const json& f = body["text"]["format"];
  if (!f.is_object()) return std::nullopt;
  if (f.value("type", "") == "json_schema" && f.contains("schema")) return f["schema"];
  if (f.value("type", "") == "json_object")
    return json{{"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}};
  return std::nullopt;
}

std::optional<json> chat_schema(const json& body) {
  if (!body.contains("response_format") || !body["response_format"].is_object()) return std::nullopt;
  const json& f = body["response_format"];
  if (f.value("type", "") == "json_schema" && f.contains("json_schema") &&
      f["json_schema"].is_object() && f["json_schema"].contains("schema"))
    return f["json_schema"]["schema"];
  if (f.value("type", "") == "json_object")
    return json{{"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}};
  return std::nullopt;
}

void openai_responses(Call& call, const Plan& p) {
  call.res.set_header("x-request-id", call.ctx.new_id("req_fake_"));
  std::string resp_id = call.ctx.new_id("resp_fake_");
  std::string item_id = call.ctx.new_id(p.tool_call ? "fc_fake_" : "msg_fake_");
  json base = {{"id", resp_id},        {"object", "response"}, {"created_at", now_s()},
               {"model", p.model},     {"output", json::array()}, {"usage", nullptr},
               {"status", "in_progress"}};
  json part = {{"type", "output_text"}, {"text", p.text}, {"annotations", json::array()}};
  json done_item = p.tool_call
                       ? json{{"id", item_id}, {"type", "function_call"}, {"status", "completed"},
                              {"arguments", p.text}, {"call_id", p.tool_id}, {"name", p.tool_name}}
                       : json{{"id", item_id}, {"type", "message"}, {"status", "completed"},
                              {"role", "assistant"}, {"content", {part}}};
  json completed = base;
  completed["output"] = {done_item};
  completed["usage"] = responses_usage(p.usage);
  completed["status"] = "completed";
  if (!call.streaming) {
    call.res.set_content(completed.dump(), "application/json");
    return;
  }
  std::vector<std::string> ev;
  std::vector<bool> delta;
  int seq = 0;
  auto add = [&](const std::string& type, json data, bool is_delta = false) {
    data = with(json{{"type", type}, {"sequence_number", seq++}}, data);
    ev.push_back(sse(type, data));
    delta.push_back(is_delta);
  };
  add("response.created", {{"response", base}});
  if (p.instream_error) {
    json failed = base;
    failed["status"] = "failed";
    failed["error"] = {{"code", "server_error"}, {"message", "injected by fake_provider"}};
    add("response.failed", {{"response", failed}});
    stream_events(call.res, std::move(ev), std::move(delta), p);
    return;
  }
  add("response.in_progress", {{"response", base}});
  json added_item = done_item;
  added_item["status"] = "in_progress";
  if (p.tool_call) {
    added_item["arguments"] = "";
    add("response.output_item.added", {{"output_index", 0}, {"item", added_item}});
    for (const std::string& d : p.deltas)
      add("response.function_call_arguments.delta",
          {{"item_id", item_id}, {"output_index", 0}, {"delta", d}}, true);
    add("response.function_call_arguments.done",
        {{"item_id", item_id}, {"output_index", 0}, {"arguments", p.text}});
  } else {
    added_item["content"] = json::array();
    json ids = {{"item_id", item_id}, {"output_index", 0}, {"content_index", 0}};
    json empty_part = part;
    empty_part["text"] = "";
    add("response.output_item.added", {{"output_index", 0}, {"item", added_item}});
    add("response.content_part.added", with(ids, {{"part", empty_part}}));
    for (const std::string& d : p.deltas)
      add("response.output_text.delta", with(ids, {{"delta", d}}), true);
    add("response.output_text.done", with(ids, {{"text", p.text}}));
    add("response.content_part.done", with(ids, {{"part", part}}));
  }
  add("response.output_item.done", {{"output_index", 0}, {"item", done_item}});
  add("response.completed", {{"response", completed}});
  stream_events(call.res, std::move(ev), std::move(delta), p);
}

void openai_chat(Call& call, const Plan& p) {
  call.res.set_header("x-request-id", call.ctx.new_id("req_fake_"));
  std::string id = call.ctx.new_id("chatcmpl-fake");
  long created = now_s();
  const char* finish = p.tool_call ? "tool_calls" : "stop";
  json tool_call = {{"id", p.tool_id}, {"type", "function"},
                    {"function", {{"name", p.tool_name}, {"arguments", p.text}}}};
  if (!call.streaming) {
    json message = {{"role", "assistant"}, {"content", p.tool_call ? json(nullptr) : json(p.text)}};
    if (p.tool_call) message["tool_calls"] = {tool_call};
    json out = {{"id", id}, {"object", "chat.completion"}, {"created", created}, {"model", p.model},
                {"choices", {{{"index", 0}, {"message", message}, {"finish_reason", finish}}}},
                {"usage", chat_usage(p.usage)}};
    call.res.set_content(out.dump(), "application/json");
    return;
  }
  json chunk = {{"id", id}, {"object", "chat.completion.chunk"}, {"created", created}, {"model", p.model}};
  std::vector<std::string> ev;
  std::vector<bool> delta;
  auto add = [&](json choices, bool is_delta = false) {
    ev.push_back(data_line(with(chunk, {{"choices", choices}})));
    delta.push_back(is_delta);
  };
  auto choice = [](json d, json fin) {
    return json::array({{{"index", 0}, {"delta", d}, {"finish_reason", fin}}});
  };
  if (p.tool_call) {
    json first = tool_call;
    first["index"] = 0;
    first["function"]["arguments"] = "";
    add(choice({{"role", "assistant"}, {"content", nullptr}, {"tool_calls", {first}}}, nullptr));
  } else {
    add(choice({{"role", "assistant"}, {"content", ""}}, nullptr));
  }
  if (p.instream_error) {
    ev.push_back(data_line({{"error", {{"message", "injected by fake_provider"}, {"type", "server_error"},
                                       {"param", nullptr}, {"code", "server_error"}}}}));
    delta.push_back(false);
    stream_events(call.res, std::move(ev), std::move(delta), p);
    return;
  }
  for (const std::string& d : p.deltas) {
    json dj = p.tool_call ? json{{"tool_calls", {{{"index", 0}, {"function", {{"arguments", d}}}}}}}
                          : json{{"content", d}};
    add(choice(dj, nullptr), true);
  }
  add(choice(json::object(), finish));
  bool include_usage = call.body.contains("stream_options") && call.body["stream_options"].is_object() &&
                       call.body["stream_options"].value("include_usage", false);
  if (include_usage) {
    ev.push_back(data_line(with(chunk, {{"choices", json::array()}, {"usage", chat_usage(p.usage)}})));
    delta.push_back(false);
  }
  ev.push_back("data: [DONE]\n\n");
  delta.push_back(false);
  stream_events(call.res, std::move(ev), std::move(delta), p);
}

}  // namespace gw::fake
