#include "core/stages/response_events.hpp"

namespace gw::stages::response {
namespace {

const std::string* str(const ojson& j, const char* k) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

bool is(const ojson& j, const char* k, std::string_view v) {
  const std::string* s = str(j, k);
  return s && *s == v;
}

std::string num(const ojson& j, const char* k) {
  return j.is_object() && j.contains(k) ? j[k].dump() : "0";
}

ojson::json_pointer ptr(const std::string& s) { return ojson::json_pointer(s); }

// Anthropic Messages: content_block_delta carries text_delta (text), thinking_delta (thinking,
// signed by the provider: the signature_delta that follows covers it) or input_json_delta
// (partial_json of a tool_use input).
void anthropic(const ojson& d, const std::string& type, EventInfo& e) {
  std::string block = "content[" + num(d, "index") + "]";
  if (type == "content_block_delta" && d.contains("delta") && d["delta"].is_object()) {
    const ojson& delta = d["delta"];
    if (is(delta, "type", "text_delta") && str(delta, "text"))
      e.pieces.push_back({block, TextKind::text, false, ptr("/delta/text")});
    else if (is(delta, "type", "thinking_delta") && str(delta, "thinking"))
      e.pieces.push_back({block, TextKind::thinking, true, ptr("/delta/thinking")});
    else if (is(delta, "type", "input_json_delta") && str(delta, "partial_json"))
      e.pieces.push_back({block, TextKind::tool_args, false, ptr("/delta/partial_json")});
  } else if (type == "content_block_stop") {
    e.closes.push_back(block);
  } else if (type == "message_stop") {
    e.closes_all = true;
  }
}

// OpenAI Responses: text, reasoning (summary and raw) and tool-call argument deltas, each keyed by
// its output item.
void responses(const ojson& d, const std::string& type, EventInfo& e) {
  std::string item = str(d, "item_id") ? *str(d, "item_id") : "";
  auto piece = [&](std::string block, TextKind kind) {
    if (str(d, "delta")) e.pieces.push_back({std::move(block), kind, false, ptr("/delta")});
  };
  std::string text_block = "output[" + item + "/" + num(d, "content_index") + "]";
  std::string summary_block = "reasoning[" + item + "/" + num(d, "summary_index") + "]";
  std::string reasoning_block = "reasoning_text[" + item + "/" + num(d, "content_index") + "]";
  std::string args_block = "call[" + item + "]";
  if (type == "response.output_text.delta") piece(text_block, TextKind::text);
  else if (type == "response.output_text.done") e.closes.push_back(text_block);
  else if (type == "response.reasoning_summary_text.delta") piece(summary_block, TextKind::thinking);
  else if (type == "response.reasoning_summary_text.done") e.closes.push_back(summary_block);
  else if (type == "response.reasoning_text.delta") piece(reasoning_block, TextKind::thinking);
  else if (type == "response.reasoning_text.done") e.closes.push_back(reasoning_block);
  else if (type == "response.function_call_arguments.delta" || type == "response.custom_tool_call_input.delta")
    piece(args_block, TextKind::tool_args);
  else if (type == "response.function_call_arguments.done" || type == "response.custom_tool_call_input.done")
    e.closes.push_back(args_block);
  else if (type == "response.output_item.done" && d.contains("item") && str(d["item"], "id"))
    e.closes.push_back("call[" + *str(d["item"], "id") + "]");
  else if (type == "response.completed" || type == "response.failed" || type == "response.incomplete")
    e.closes_all = true;
}

// Chat Completions chunks: delta.content and delta.tool_calls[].function.arguments.
void chat(const ojson& d, EventInfo& e) {
  const ojson& choices = d["choices"];
  for (size_t i = 0; i < choices.size(); ++i) {
    const ojson& c = choices[i];
    if (!c.is_object()) continue;
    std::string block = "choices[" + num(c, "index") + "]", at = "/choices/" + std::to_string(i);
    if (c.contains("delta") && c["delta"].is_object()) {
      const ojson& delta = c["delta"];
      if (str(delta, "content")) e.pieces.push_back({block, TextKind::text, false, ptr(at + "/delta/content")});
      if (delta.contains("tool_calls") && delta["tool_calls"].is_array()) {
        const ojson& calls = delta["tool_calls"];
        for (size_t k = 0; k < calls.size(); ++k) {
          if (!calls[k].is_object() || !calls[k].contains("function") || !str(calls[k]["function"], "arguments"))
            continue;
          e.pieces.push_back({block + "/tool_calls[" + num(calls[k], "index") + "]", TextKind::tool_args, false,
                              ptr(at + "/delta/tool_calls/" + std::to_string(k) + "/function/arguments")});
        }
      }
    }
    if (c.contains("finish_reason") && !c["finish_reason"].is_null()) e.closes.push_back(block);
  }
}

// Gemini: every part of every candidate. Text parts continue the candidate's text (thought parts
// its reasoning); function calls and other parts arrive whole and are scanned on their own.
void gemini(const ojson& d, EventInfo& e) {
  const ojson& cands = d["candidates"];
  for (size_t c = 0; c < cands.size(); ++c) {
    const ojson& cand = cands[c];
    if (!cand.is_object()) continue;
    std::string block = "candidates[" + num(cand, "index") + "]", at = "/candidates/" + std::to_string(c);
    if (cand.contains("content") && cand["content"].is_object() && cand["content"].contains("parts") &&
        cand["content"]["parts"].is_array()) {
      const ojson& parts = cand["content"]["parts"];
      for (size_t i = 0; i < parts.size(); ++i) {
        const ojson& p = parts[i];
        std::string part_at = at + "/content/parts/" + std::to_string(i);
        if (!p.is_object()) continue;
        if (str(p, "text")) {
          bool thought = p.contains("thought") && p["thought"].is_boolean() && p["thought"].get<bool>();
          e.pieces.push_back({thought ? block + "/thought" : block, thought ? TextKind::thinking : TextKind::text,
                              false, ptr(part_at + "/text")});
        } else {
          e.subtrees.push_back(ptr(part_at));
        }
      }
    }
    if (cand.contains("finishReason")) e.closes.push_back(block);
  }
}

}  // namespace

EventInfo classify(providers::ApiKind api, const ojson& d) {
  EventInfo e;
  if (!d.is_object()) return e;
  const std::string* type = str(d, "type");
  if (api == providers::ApiKind::anthropic && type) anthropic(d, *type, e);
  else if (api == providers::ApiKind::openai && type) responses(d, *type, e);
  else if (api == providers::ApiKind::openai && d.contains("choices") && d["choices"].is_array()) chat(d, e);
  else if (api == providers::ApiKind::gemini && d.contains("candidates") && d["candidates"].is_array()) gemini(d, e);
  return e;
}

std::string event_data(std::string_view raw) {
  std::string data;
  bool any = false;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t nl = raw.find('\n', pos);
    std::string_view line = raw.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? raw.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.starts_with("data:")) continue;
    line.remove_prefix(5);
    if (line.starts_with(' ')) line.remove_prefix(1);
    if (any) data += '\n';
    data.append(line);
    any = true;
  }
  return data;
}

std::string with_data(std::string_view raw, const std::string& data) {
  std::string out;
  bool written = false;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t nl = raw.find('\n', pos);
    size_t end = nl == std::string_view::npos ? raw.size() : nl + 1;
    std::string_view line = raw.substr(pos, end - pos);
    pos = end;
    if (!line.starts_with("data:")) {
      out.append(line);
      continue;
    }
    if (written) continue;
    written = true;
    bool crlf = line.ends_with("\r\n");
    out += "data: " + data + (crlf ? "\r\n" : "\n");
  }
  return out;
}

std::string location_of(const ojson::json_pointer& p) {
  std::string out, s = p.to_string();
  size_t pos = 1;
  while (pos <= s.size() && !s.empty()) {
    size_t next = s.find('/', pos);
    std::string tok = s.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (!tok.empty() && tok.find_first_not_of("0123456789") == std::string::npos) out += "[" + tok + "]";
    else out += (out.empty() ? "" : ".") + tok;
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return out;
}

}  // namespace gw::stages::response
