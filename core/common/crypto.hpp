#pragma once
// Small cryptographic helpers over OpenSSL. Token comparison is constant time.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gw {

// True when a and b are equal; time depends only on the lengths, never on the contents.
bool constant_time_equal(std::string_view a, std::string_view b);
// Raw 32-byte SHA-256 digest of data.
std::string sha256(std::string_view data);
// Lowercase hex SHA-256 of data.
std::string sha256_hex(std::string_view data);
std::string to_hex(std::string_view bytes);
// n cryptographically random bytes (RAND_bytes); aborts if the CSPRNG fails.
std::string random_bytes(size_t n);
// base64url without padding.
std::string base64url(std::string_view bytes);
// Decodes base64url (padding optional); nullopt on any other character or an impossible length.
std::optional<std::string> from_base64url(std::string_view text);
// A short, stable, non-reversible label for a secret (first 8 hex of SHA-256), for logs.
std::string fingerprint(std::string_view secret);

}  // namespace gw
