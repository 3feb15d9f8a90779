#include "bench/loadgen/bodies.hpp"

#include <array>
#include <nlohmann/json.hpp>

namespace gw::bench {

namespace {

using nlohmann::json;

constexpr std::array<const char*, 24> k_tool_names = {
    "Agent",        "Bash",         "CronCreate",  "CronDelete",  "CronList",      "Edit",
    "EnterWorktree", "ExitWorktree", "NotebookEdit", "Read",       "ReportFindings", "ScheduleWakeup",
    "SendMessage",  "Skill",        "TaskCreate",  "TaskGet",     "TaskList",      "TaskOutput",
    "TaskStop",     "TaskUpdate",   "WebFetch",    "WebSearch",   "Workflow",      "Write"};

// Deterministic prose of about `bytes` characters.
std::string prose(size_t bytes, int seed) {
  static const std::array<const char*, 12> words = {
      "the",  "tool", "reads", "a file", "from the local filesystem;", "use it", "when",
      "the user", "asks", "for changes,", "prefer", "absolute paths."};
  std::string s;
  size_t i = static_cast<size_t>(seed);
  while (s.size() < bytes) {
    s += words[i++ % words.size()];
    s += (i % 17 == 0) ? "\n- " : " ";
  }
  s.resize(bytes);
  return s;
}

json tool_schema(const char* name, int seed) {
  json props = json::object();
  for (int p = 0; p < 5; ++p) {
    static const std::array<const char*, 5> names = {"file_path", "command", "timeout", "description", "options"};
    std::string pname = names[static_cast<size_t>(p)];
    json prop = {{"description", prose(180, seed * 7 + p)}};
    if (p == 2) prop["type"] = "number";
    else if (p == 4) prop = {{"type", "object"}, {"description", prose(120, seed + p)}, {"properties", {{"mode", {{"type", "string"}, {"enum", {"fast", "careful", "auto"}}}}}}, {"additionalProperties", false}};
    else prop["type"] = "string";
    props[pname] = prop;
  }
  return {{"name", name},
          {"description", prose(1500, seed)},
          {"input_schema",
           {{"$schema", "http://json-schema.org/draft-07/schema#"},
            {"type", "object"},
            {"properties", props},
            {"required", {"file_path", "command"}},
            {"additionalProperties", false}}}};
}

// `bytes` of a numbered source listing, as Claude Code's Read tool returns it.
std::string source_listing(size_t bytes) {
  static const std::array<const char*, 8> lines = {
      "#include \"core/http/server.hpp\"",
      "namespace gw::http {",
      "Result<Reply> Server::handle(const Request& req, Exchange& ex) {",
      "  if (req.body.size() > m_limits.max_body) return reply_413(ex);",
      "  GW_TRY(route, m_router.match(req.method, req.path));",
      "  auto status = m_pipeline.run(ex);  // stages in policy order",
      "  return status ? ex.reply : error_reply(status.error(), ex.provider);",
      "}  // namespace gw::http"};
  std::string s;
  for (size_t n = 1; s.size() < bytes; ++n) {
    std::string num = std::to_string(n);
    s += std::string(num.size() < 6 ? 6 - num.size() : 0, ' ') + num + "\u2192" + lines[n % lines.size()] + "\n";
  }
  s.resize(bytes);
  return s;
}

}  // namespace

std::string small_messages_body(bool stream) {
  json b = {{"model", "claude-sonnet-4-5"},
            {"max_tokens", 64},
            {"messages", {{{"role", "user"}, {"content", "say pong"}}}}};
  if (stream) b["stream"] = true;
  return b.dump();
}

std::string claude_code_body(size_t target_bytes, bool stream) {
  json eph = {{"type", "ephemeral"}};
  json b;
  b["model"] = "claude-sonnet-4-5";
  b["max_tokens"] = 32000;
  b["system"] = {
      {{"type", "text"}, {"text", "x-anthropic-billing-header: cc_version=2.1.197.495; cc_entrypoint=sdk-cli;"}},
      {{"type", "text"}, {"text", "You are Claude Code, Anthropic's official CLI for Claude."}, {"cache_control", eph}},
      {{"type", "text"}, {"text", prose(5800, 3)}, {"cache_control", eph}}};
  json tools = json::array();
  for (size_t i = 0; i < k_tool_names.size(); ++i) tools.push_back(tool_schema(k_tool_names[i], static_cast<int>(i)));
  b["tools"] = tools;
  b["metadata"] = {{"user_id", "user_0f3c9a_account__session_0a0a5985-a82c-4bd1-bf3e-b3914928564f"}};
  json messages = json::array();
  messages.push_back({{"role", "user"},
                      {"content",
                       {{{"type", "text"}, {"text", "<system-reminder>\n" + prose(1200, 5) + "\n</system-reminder>"}},
                        {{"type", "text"}, {"text", "Explain what Server::handle does."}}}}});
  messages.push_back({{"role", "assistant"},
                      {"content",
                       {{{"type", "text"}, {"text", "I'll read the file first."}},
                        {{"type", "tool_use"},
                         {"id", "toolu_01A9bench0000000000000001"},
                         {"name", "Read"},
                         {"input", {{"file_path", "/home/dev/project/core/http/server.cpp"}}}}}}});
  json result = {{"type", "tool_result"}, {"tool_use_id", "toolu_01A9bench0000000000000001"}, {"content", ""}};
  messages.push_back({{"role", "user"}, {"content", {result}}});
  b["messages"] = messages;
  if (stream) b["stream"] = true;
  size_t fixed = b.dump().size();
  if (target_bytes > fixed + 64) {
    // Escaped newlines make the dump grow faster than the listing: measure, then trim.
    std::string code = source_listing(target_bytes - fixed);
    b["messages"][2]["content"][0]["content"] = code;
    size_t now = b.dump().size();
    if (now > target_bytes && now - target_bytes < code.size()) {
      code.resize(code.size() - (now - target_bytes));
      while (!code.empty() && (static_cast<unsigned char>(code.back()) & 0xC0) == 0x80) code.pop_back();
      while (!code.empty() && static_cast<unsigned char>(code.back()) >= 0xC0) code.pop_back();
      b["messages"][2]["content"][0]["content"] = code;
    }
  }
  return b.dump();
}

}  // namespace gw::bench
