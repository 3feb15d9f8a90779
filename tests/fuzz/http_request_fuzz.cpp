// Fuzzes the server's request parser (core/http/server_parser): no crash or sanitizer report on
// any input; a head that parses from the whole input parses identically from exactly its own
// bytes (no look-ahead past the blank line, so a pipelined request is never swallowed); and a
// chunked body decodes to the same bytes, ending at the same place, however it is split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/http/server_parser.hpp"

using namespace gw::http;

namespace {

std::string describe(const RequestHead& h) {
  std::string s = h.method + '\x1f' + h.target + '\x1f' + std::to_string(h.minor_version) + '\x1f' +
                  (h.chunked ? "c" : "") + (h.keep_alive ? "k" : "") + (h.expect_continue ? "e" : "") + '\x1f' +
                  (h.content_length ? std::to_string(*h.content_length) : "-");
  for (const auto& [k, v] : h.headers.items()) s += '\x1e' + k + '\x1f' + v;
  return s;
}

struct Decoded {
  ChunkedDecoder::Status status;
  size_t used;
  std::string out;
};

Decoded decode(std::string_view body, size_t piece) {
  ChunkedDecoder d{ParserLimits{}};
  Decoded r{ChunkedDecoder::Status::more, 0, {}};
  while (r.used < body.size() && r.status == ChunkedDecoder::Status::more) {
    size_t n = 0;
    r.status = d.feed(body.substr(r.used, piece), n, r.out);
    if (n > piece) std::abort();
    r.used += n;
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t piece = 1 + data[0] % 13;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ParserLimits limits;
  limits.max_head_bytes = 2048;
  limits.max_headers = 32;

  RequestHead head;
  HeadResult r = parse_head(input, limits, head);
  if (r.state == HeadState::complete) {
    if (r.consumed > input.size()) std::abort();
    RequestHead again;
    HeadResult exact = parse_head(input.substr(0, r.consumed), limits, again);
    if (exact.state != HeadState::complete || exact.consumed != r.consumed || describe(again) != describe(head))
      std::abort();
    if (head.chunked && head.content_length) std::abort();  // the smuggling guard held
  } else if (r.state == HeadState::failed) {
    if (r.failure.status < 400 || r.failure.status > 599 || r.failure.message.empty()) std::abort();
  }

  // The chunked decoder on the same bytes (as if they followed a chunked head).
  Decoded whole = decode(input, input.size() + 1);
  Decoded split = decode(input, piece);
  if (whole.status != split.status) std::abort();
  if (whole.status == ChunkedDecoder::Status::done && (whole.used != split.used || whole.out != split.out))
    std::abort();
  return 0;
}
