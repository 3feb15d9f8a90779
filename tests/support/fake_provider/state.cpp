// Request log, fault queue and small shared helpers of the fake provider.
#include <chrono>

#include "tests/support/fake_provider/fake.hpp"

namespace gw::fake {
namespace {

constexpr std::size_t k_memory_log_cap = 1000;

// Reads an integer from a JSON number or a numeric string (GET /__control passes strings).
bool get_long(const json& spec, const char* key, long& out, std::string& error) {
  if (!spec.contains(key)) return true;
  const json& v = spec[key];
  if (v.is_number_integer()) {
    out = v.get<long>();
    return true;
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    long n = std::strtol(s.c_str(), &end, 10);
    if (!s.empty() && end && *end == '\0') {
      out = n;
      return true;
    }
  }
  error = std::string("control field '") + key + "' must be an integer";
  return false;
}

}  // namespace

std::optional<Api> api_from_name(const std::string& name) {
  if (name == "anthropic") return Api::anthropic;
  if (name == "openai") return Api::openai;
  if (name == "gemini") return Api::gemini;
  return std::nullopt;
}

const char* api_name(Api api) {
  switch (api) {
    case Api::anthropic: return "anthropic";
    case Api::openai: return "openai";
    case Api::gemini: return "gemini";
  }
  return "?";
}

std::string Context::new_id(const char* prefix) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016lx", next_id.fetch_add(1));
  return std::string(prefix) + buf;
}

Fault parse_fault(const json& spec, std::string& error) {
  Fault f;
  if (!spec.is_object() || !spec.contains("mode") || !spec["mode"].is_string()) {
    error = "control body must be a JSON object with a string 'mode'";
    return f;
  }
  f.mode = spec["mode"].get<std::string>();
  static const char* k_modes[] = {"status", "cut", "pause", "instream_error", "tool_call", "usage", "text"};
  bool known = false;
  for (const char* m : k_modes) known = known || f.mode == m;
  if (!known) {
    error = "unknown mode '" + f.mode +
            "' (status, cut, pause, instream_error, tool_call, usage, text, reset)";
    return f;
  }
  long count = 1, status = 500, retry = -1, after = 1, pause = 0;
  if (!get_long(spec, "count", count, error) || !get_long(spec, "status", status, error) ||
      !get_long(spec, "retry_after", retry, error) ||
      !get_long(spec, "after_events", after, error) || !get_long(spec, "pause_ms", pause, error) ||
      !get_long(spec, "cache_read", f.cache_read, error) ||
      !get_long(spec, "cache_write", f.cache_write, error) ||
      !get_long(spec, "reasoning", f.reasoning, error))
    return f;
  if (count < 1 || status < 100 || status > 599 || after < 0 || pause < 0) {
    error = "control values out of range (count >= 1, 100 <= status <= 599, after_events >= 0)";
    return f;
  }
  f.count = int(count);
  f.status = int(status);
  f.retry_after = int(retry);
  f.after_events = int(after);
  f.pause_ms = int(pause);
  if (spec.contains("message") && spec["message"].is_string()) f.message = spec["message"];
  if (spec.contains("tool") && spec["tool"].is_string()) f.tool = spec["tool"];
  if (spec.contains("text") && spec["text"].is_string()) f.text = spec["text"];
  if (spec.contains("input")) {
    const json& in = spec["input"];
    // GET /__control carries the input as a JSON string.
    f.input = in.is_string() ? json::parse(in.get<std::string>(), nullptr, false) : in;
    if (!f.input.is_object()) {
      error = "control field 'input' must be a JSON object";
      return f;
    }
  }
  if (spec.contains("api")) {
    auto api = spec["api"].is_string() ? api_from_name(spec["api"]) : std::nullopt;
    if (!api) {
      error = "control field 'api' must be anthropic, openai or gemini";
      return f;
    }
    f.api = api;
  }
  if (spec.contains("path_contains") && spec["path_contains"].is_string())
    f.path_contains = spec["path_contains"];
  return f;
}

json fault_to_json(const Fault& f) {
  json j = {{"mode", f.mode}, {"count", f.count}};
  if (f.mode == "status") {
    j["status"] = f.status;
    if (f.retry_after >= 0) j["retry_after"] = f.retry_after;
  }
  if (f.mode == "cut") j["after_events"] = f.after_events;
  if (f.mode == "pause") j["pause_ms"] = f.pause_ms;
  if (f.mode == "tool_call") j["tool"] = f.tool;
  if (f.api) j["api"] = api_name(*f.api);
  if (!f.path_contains.empty()) j["path_contains"] = f.path_contains;
  return j;
}

void FaultQueue::push(Fault f) {
  std::lock_guard lock(m_mutex);
  m_faults.push_back(std::move(f));
}

void FaultQueue::clear() {
  std::lock_guard lock(m_mutex);
  m_faults.clear();
}

std::optional<Fault> FaultQueue::take(Api api, const std::string& path, bool streaming) {
  std::lock_guard lock(m_mutex);
  for (auto it = m_faults.begin(); it != m_faults.end(); ++it) {
    if (it->api && *it->api != api) continue;
    if (!it->path_contains.empty() && path.find(it->path_contains) == std::string::npos) continue;
    if (it->stream_mode() && !streaming) continue;
    Fault f = *it;
    if (--it->count <= 0) m_faults.erase(it);
    return f;
  }
  return std::nullopt;
}

json FaultQueue::pending() const {
  std::lock_guard lock(m_mutex);
  json out = json::array();
  for (const Fault& f : m_faults) out.push_back(fault_to_json(f));
  return out;
}

RequestLog::RequestLog(const std::string& path) : m_path(path) {
  if (!path.empty()) m_file = std::fopen(path.c_str(), "a");
}

RequestLog::~RequestLog() {
  if (m_file) std::fclose(m_file);
}

void RequestLog::append(const json& record) {
  std::string line = record.dump(-1, ' ', false, json::error_handler_t::replace);
  std::lock_guard lock(m_mutex);
  if (m_file) {
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), m_file);
    std::fflush(m_file);
    return;
  }
  m_memory.push_back(record);
  if (m_memory.size() > k_memory_log_cap) m_memory.pop_front();
}

json RequestLog::all() const {
  json out = json::array();
  std::lock_guard lock(m_mutex);
  if (!m_file) {
    for (const json& r : m_memory) out.push_back(r);
    return out;
  }
  std::FILE* f = std::fopen(m_path.c_str(), "r");
  if (!f) return out;
  std::string line;
  int c;
  while ((c = std::fgetc(f)) != EOF) {
    if (c != '\n') {
      line.push_back(char(c));
      continue;
    }
    json j = json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
    line.clear();
  }
  std::fclose(f);
  return out;
}

}  // namespace gw::fake
