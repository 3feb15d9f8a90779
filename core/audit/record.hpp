#pragma once
// Spool records: one canonical JSON object per line. Two record types share one sequence and one
// hash chain: "event" (see event.hpp) and "checkpoint" (a signature by the device key over the
// chain head). Every record carries "seq" (1, 2, 3, ... per device) and "prev" (lowercase hex
// sha256 of the previous record's exact line bytes, without the newline; 64 zeros for seq 1).
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/audit/device_key.hpp"
#include "core/common/result.hpp"

namespace gw::audit {

inline constexpr std::string_view k_genesis_prev =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Lowercase hex sha256 of a record's exact line bytes (no newline).
std::string record_hash(std::string_view line);

// Builds a signed checkpoint line. The signature covers the canonical JSON of the record without
// its "sig" key, so it commits to seq, prev (hence the whole chain before it), time and device.
Result<std::string> make_checkpoint_line(uint64_t seq, std::string_view prev, int64_t time_ms,
                                         std::string_view device_id, const DeviceKey& key);

// What is wrong with a checkpoint record, or empty when its signature verifies with `trusted`.
std::string checkpoint_problem(const nlohmann::json& record, const DeviceKey& trusted);

// Parses one line into a JSON object with an unsigned "seq" and a string "prev"; errors say why not.
Result<nlohmann::json> parse_record(std::string_view line);

}  // namespace gw::audit
