#pragma once
// Identifiers: UUIDv7 (time ordered) for requests and events.
#include <cstdint>
#include <string>

namespace gw {

// A UUIDv7 string (RFC 9562) for the given Unix time in milliseconds; random low bits.
std::string uuid_v7(int64_t unix_ms);
// A UUIDv7 for now.
std::string uuid_v7();

}  // namespace gw
