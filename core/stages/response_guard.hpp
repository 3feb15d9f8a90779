#pragma once
// Scanning of model responses ([guardrails.responses]), as an Exchange ResponseFilter.
//
// Streams: the text deltas of each output block (Anthropic text_delta, Responses
// output_text.delta, Chat delta.content, Gemini parts[].text) are fed to one StreamScanner per
// block, so a secret split across events is found. Other events (e.g. Responses' *.done events
// that repeat the whole text) are scanned as JSON on their own.
//  - alert: the relay sends the bytes untouched; findings are recorded.
//  - redact: an event carrying text is held until no secret can still start inside it (at most
//    the window of text behind the newest delta, and never past the end of its block); a held
//    event whose text overlaps a secret is re-serialised with the secret replaced by its
//    placeholder (the first event of a split secret carries the placeholder, the others lose
//    their part); events without findings are sent byte for byte, in order.
// Non-streamed JSON replies: scanned whole; redact holds the body until it ended.
// Error replies (status >= 300) are neither scanned nor changed.
// Findings go to ex.findings with locations "response:text[<block>]" or "response:<json path>",
// each distinct secret once per response.
#include <memory>

#include "core/config/guardrails.hpp"
#include "core/pipeline/exchange.hpp"

namespace gw::stages {

class GuardrailState;

std::unique_ptr<pipeline::ResponseFilter> make_response_guard(const config::Guardrails& guardrails,
                                                              providers::ApiKind api, GuardrailState* state);

// True when the finding's fingerprint is allowlisted (the full 16 hex or its first 8).
bool fingerprint_allowed(const scan::ActionPolicy& actions, std::string_view fingerprint);

}  // namespace gw::stages
