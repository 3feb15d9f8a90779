#pragma once
// HTTP helpers for tests: a client for a base URL (http or https, certificate checks off for
// loopback test servers), a streaming POST that records each received chunk, an SSE splitter,
// and a throwaway self-signed certificate for TLS tests.
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace gw::test {

// An httplib client for "http(s)://host:port"; long read timeout (streams may pause), no
// certificate verification (test servers use throwaway certificates).
httplib::Client make_client(const std::string& base_url);

struct StreamChunk {
  std::chrono::steady_clock::time_point at;
  std::string data;
};

struct StreamResult {
  bool ok = false;             // the transfer completed (false: connection error or cut)
  std::string error;           // httplib's error name when !ok
  int status = 0;              // 0 when no response head arrived
  httplib::Headers headers;
  std::chrono::steady_clock::time_point started;  // just before the request was sent
  std::string body;            // every byte received, also when the stream was cut
  std::vector<StreamChunk> chunks;  // as they arrived
};

// POSTs `body` (application/json) and records the response as it streams.
StreamResult post_streaming(httplib::Client& client, const std::string& path, const std::string& body,
                            const httplib::Headers& headers = {});

struct SseEvent {
  std::string event;  // "" when the event has no "event:" line
  std::string data;   // "data:" lines joined with '\n'
};

// Splits an SSE body into events; accepts LF and CRLF line endings.
std::vector<SseEvent> parse_sse(const std::string& body);

struct TlsFiles {
  std::filesystem::path cert;  // PEM, self-signed, CN=localhost, SAN 127.0.0.1, ::1, localhost
  std::filesystem::path key;   // PEM, P-256
};

// Writes a fresh self-signed certificate and key into `dir` (cert.pem, key.pem). Throws
// std::runtime_error when OpenSSL fails.
TlsFiles make_self_signed_cert(const std::filesystem::path& dir);

}  // namespace gw::test
