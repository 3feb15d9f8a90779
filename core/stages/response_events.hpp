#pragma once
// What a streamed response event carries, per wire API, for the response guard
// (response_guard.hpp): the pieces of text it adds to the output blocks of the response, the
// JSON values to scan on their own, and the blocks it ends. Plus the SSE framing helpers.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/providers/provider.hpp"

namespace gw::stages::response {

using ojson = nlohmann::ordered_json;  // keeps member order when a redacted event is re-serialised

// How a block's text is scanned and whether the guard may rewrite it.
enum class TextKind {
  text,       // answer text: sliding window across events; redactable
  thinking,   // reasoning text: sliding window; redactable unless the provider signs it
  tool_args,  // tool-call arguments streamed as JSON fragments: scanned whole when the block ends
};

struct TextPiece {
  std::string block;               // the output block the text belongs to, e.g. "content[1]"
  TextKind kind = TextKind::text;
  bool signed_text = false;        // the provider signs this text (Anthropic thinking): never rewrite
  ojson::json_pointer where;       // the string inside the event's data
};

struct EventInfo {
  std::vector<TextPiece> pieces;               // in stream order
  std::vector<ojson::json_pointer> subtrees;   // whole values scanned as JSON on their own
  std::vector<std::string> closes;             // blocks (and "<block>/..." sub-blocks) ending here
  bool closes_all = false;
  // Neither pieces nor subtrees: the whole event is scanned as JSON (e.g. Responses' *.done
  // events, which repeat whole texts and arguments).
  bool scan_whole() const { return pieces.empty() && subtrees.empty(); }
};

// `data` is the parsed data of one SSE event of a `api` stream.
EventInfo classify(providers::ApiKind api, const ojson& data);

// The data of an SSE event (its data lines joined by '\n').
std::string event_data(std::string_view raw);
// The event with its data lines replaced by one line holding `data`; other lines kept as they were.
std::string with_data(std::string_view raw, const std::string& data);

// "a/b/c" pointer -> "a.b.c"-style location with array indices as [i] ("candidates[0].content").
std::string location_of(const ojson::json_pointer& ptr);

}  // namespace gw::stages::response
