#include "core/common/log.hpp"

#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/common/clock.hpp"

namespace gw::log {
namespace {
std::mutex g_mutex;
Level g_min = Level::info;
FILE* g_out = nullptr;

const char* level_name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}
}  // namespace

void configure(Level min_level, const std::string& path) {
  std::lock_guard lock(g_mutex);
  g_min = min_level;
  if (g_out && g_out != stderr) std::fclose(g_out);
  g_out = path.empty() ? stderr : std::fopen(path.c_str(), "a");
  if (!g_out) g_out = stderr;
}

bool enabled(Level level) { return static_cast<int>(level) >= static_cast<int>(g_min); }

void write(Level level, std::string_view msg, const nlohmann::json& fields) {
  if (!enabled(level)) return;
  nlohmann::json line = {{"ts", SystemClock().now_ms()}, {"level", level_name(level)}, {"msg", msg}};
  if (fields.is_object())
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::lock_guard lock(g_mutex);
  FILE* out = g_out ? g_out : stderr;
  std::fwrite(text.data(), 1, text.size(), out);
  std::fflush(out);
}

void write(Level level, std::string_view msg) { write(level, msg, nlohmann::json::object()); }

}  // namespace gw::log
