#pragma once
// Structured logging: one JSON object per line on stderr (or a file). Callers pass only
// non-secret fields: key ids and fingerprints, never tokens or keys.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace gw::log {

enum class Level { debug, info, warn, error };

// Sets the minimum level and the destination (empty path: stderr). Thread-safe to call once at start.
void configure(Level min_level, const std::string& path = {});
bool enabled(Level level);
// Writes {"ts":..., "level":..., "msg": msg, ...fields} as one line, atomically with respect
// to other log calls.
void write(Level level, std::string_view msg, const nlohmann::json& fields);
void write(Level level, std::string_view msg);

}  // namespace gw::log
