#pragma once
// JSON-aware scanning of request bodies, and redaction.
//
// scan_body() walks every string VALUE of the body (system prompts, message text, tool_use
// inputs, tool results, Responses input items including function_call arguments and tool items,
// Gemini parts, tool definitions, metadata), scans its DECODED text (so a secret after an
// escaped quote or \n is found), and reports each finding with its JSON path and the RAW byte
// span in the body. It skips binary blobs that cannot hold text: base64 "data" fields (images,
// documents, redacted thinking), data: URLs, and opaque provider tokens (thinking signatures,
// encrypted reasoning content).
//
// Bodies are cut into blocks (each element of messages / input / contents / tools / system, and
// each other top-level member); with a ScanCache, a block already scanned in this session is not
// scanned again: its remembered findings are re-based to where the block sits now.
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"
#include "core/scan/scan_cache.hpp"
#include "core/scan/scanner.hpp"

namespace gw::scan {

enum class BodyKind { text, json, anthropic, openai, gemini };  // json: any other JSON object
std::string_view body_kind_name(BodyKind k);
bool parse_body_kind(std::string_view name, BodyKind& out);  // "text", "json", "anthropic", "openai", "gemini"
// Recognises a captured request body: gemini (contents), openai (input/instructions, or chat
// messages), anthropic (messages with system/anthropic_version/tool_use/input_schema...). A body
// that is not a JSON object is text.
BodyKind detect_body_kind(std::string_view body);

struct BodyScanStats {
  size_t blocks = 0;          // blocks in the body
  size_t blocks_cached = 0;   // of which served from the cache
  size_t bytes_scanned = 0;   // decoded text bytes actually scanned
};

struct BodyScan {
  std::vector<Finding> findings;  // ordered by offset; offsets are raw spans in the body
  BodyScanStats stats;
};

// Scans a request body. kind == text scans the body as plain text (offsets into it, no paths).
// For the JSON kinds the body must be valid JSON (Errc::invalid_argument otherwise); cache may be
// null. Thread-safe given a thread-safe cache.
Result<BodyScan> scan_body(const Scanner& scanner, std::string_view body, BodyKind kind,
                           ScanCache* cache = nullptr);

// "[REDACTED:<rule-id>:<first 8 of fingerprint>]"
std::string placeholder(const Finding& f);

// A copy of body where each finding's span [offset, offset+length) is replaced by its placeholder
// (JSON-escaped, which for placeholders is the identity). Overlapping spans are merged under the
// first finding's placeholder. Bytes outside the spans are copied unchanged. For findings from
// scan_body() on a JSON body the result is valid JSON.
std::string redact(std::string_view body, const std::vector<Finding>& findings);

}  // namespace gw::scan
