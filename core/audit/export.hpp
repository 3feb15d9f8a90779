#pragma once
// Converting spool records for other tools: plain JSONL (the records as stored), OCSF (API
// Activity, class 6003) and Elastic Common Schema. Used by `gw audit export` and, later, by the
// central gateway's SIEM sinks. Pure functions, no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/common/result.hpp"

namespace gw::audit {

enum class ExportFormat { jsonl, ocsf, ecs };

Result<ExportFormat> parse_export_format(std::string_view name);

// The exported object for one spool record, or nullopt when the format does not carry this record
// type (checkpoints appear only in jsonl).
std::optional<nlohmann::json> export_record(const nlohmann::json& record, ExportFormat format);

// Parses a --since value relative to now_ms: Unix milliseconds ("1700000000000"), an RFC 3339 UTC
// time ("2025-01-31T12:00:00Z") or an age ("90s", "15m", "2h", "7d"). Returns Unix ms.
Result<int64_t> parse_since(std::string_view text, int64_t now_ms);

// RFC 3339 UTC with milliseconds, e.g. "2025-01-31T12:00:00.123Z".
std::string rfc3339_ms(int64_t unix_ms);

}  // namespace gw::audit
