// Gemini generateContent / streamGenerateContent replies, shaped like the stream Gemini CLI
// 0.61.0 accepted: events end with CRLF CRLF and every chunk carries cumulative usageMetadata.
#include "tests/support/fake_provider/fake.hpp"

namespace gw::fake {
namespace {

json usage_metadata(const Usage& u, long output_so_far) {
  long thoughts = std::min(u.reasoning, output_so_far);
  long candidates = output_so_far - thoughts;
  return {{"promptTokenCount", u.total_input},
          {"candidatesTokenCount", candidates},
          {"totalTokenCount", u.total_input + candidates + thoughts},
          {"cachedContentTokenCount", u.cache_read},
          {"thoughtsTokenCount", thoughts},
          {"promptTokensDetails", {{{"modality", "TEXT"}, {"tokenCount", u.total_input}}}}};
}

std::string data_crlf(const json& j) { return "data: " + j.dump() + "\r\n\r\n"; }

}  // namespace

std::optional<json> gemini_schema(const json& body) {
  if (!body.contains("generationConfig") || !body["generationConfig"].is_object()) return std::nullopt;
  const json& g = body["generationConfig"];
  if (g.value("responseMimeType", "") != "application/json") return std::nullopt;
  for (const char* k : {"responseJsonSchema", "responseSchema", "response_json_schema", "response_schema"})
    if (g.contains(k) && g[k].is_object()) return g[k];
  return json{{"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}};
}

void gemini_generate(Call& call, const Plan& p) {
  std::string response_id = call.ctx.new_id("fake");
  auto chunk = [&](const json& parts, bool last, long output_so_far) {
    json cand = {{"content", {{"role", "model"}, {"parts", parts}}}, {"index", 0}};
    if (last) cand["finishReason"] = "STOP";
    return json{{"candidates", {cand}},
                {"usageMetadata", usage_metadata(p.usage, output_so_far)},
                {"modelVersion", p.model},
                {"responseId", response_id}};
  };
  json call_part = {{"functionCall", {{"name", p.tool_name}, {"args", p.tool_input}}}};
  if (!call.streaming) {
    json parts = p.tool_call ? json::array({call_part}) : json::array({{{"text", p.text}}});
    call.res.set_content(chunk(parts, true, p.usage.output).dump(), "application/json");
    return;
  }
  std::vector<std::string> ev;
  std::vector<bool> delta;
  if (p.tool_call) {
    // Gemini sends a function call whole, in one chunk.
    ev.push_back(data_crlf(chunk(json::array({call_part}), true, p.usage.output)));
    delta.push_back(true);
  } else {
    long thoughts = p.usage.reasoning;
    for (std::size_t i = 0; i < p.deltas.size(); ++i) {
      bool last = i + 1 == p.deltas.size();
      ev.push_back(data_crlf(chunk(json::array({{{"text", p.deltas[i]}}}), last,
                                   thoughts + long(i) + 1)));
      delta.push_back(true);
      if (p.instream_error) break;
    }
  }
  if (p.instream_error) {
    ev.resize(1);
    delta.resize(1);
    ev.push_back(data_crlf({{"error", {{"code", 503},
                                       {"message", "The model is overloaded (injected by fake_provider)."},
                                       {"status", "UNAVAILABLE"}}}}));
    delta.push_back(false);
  }
  stream_events(call.res, std::move(ev), std::move(delta), p);
}

}  // namespace gw::fake
