#pragma once
// How policy denials (model access, budgets, rate limits) are worded and which status they get
// per API, chosen from how each agent shows them (shared/wire/AGENTS-WIRE.md):
//  - Anthropic (Claude Code): 400 for policy refusals (401/403 read as "Failed to authenticate"
//    and 401 is retried); 429 + retry-after for rate limits (honoured exactly).
//  - OpenAI (Codex): 400 for refusals (no retry; 403 would be retried like 401); 429 +
//    retry-after for rate limits (honoured exactly, 5 retries, then an error without our text).
//  - Gemini (Gemini CLI): 403 PERMISSION_DENIED for refusals (no retry); 429 with RetryInfo for
//    rate limits (waits max(RetryInfo, its own 5 s+ backoff)).
// A rate-limit wait longer than the agent should sit through silently is answered as a refusal
// that says when to retry (ADR 0037).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config/policy.hpp"
#include "core/limits/denial.hpp"
#include "core/pipeline/exchange.hpp"

namespace gw::stages {

// Status for a non-retryable policy refusal on this API.
int refusal_status(const providers::Provider& provider);

// The longest rate-limit wait (seconds) answered as 429 + retry-after for requests from `agent`
// (Exchange::agent: claude-code, codex, gemini-cli, other). Longer waits are refused at once with
// the time to retry. nullopt: always 429 (unknown clients are programs that honour retry-after).
std::optional<int64_t> max_retry_wait_s(std::string_view agent);

// Refuses `ex` for a limits denial: budget/unpriced as a refusal; rate limits as 429 with
// retry-after while the wait is within max_retry_wait_s(ex.agent), else as a refusal whose
// message names the limit and the UTC time (from `now_ms`) from which a retry is admitted.
// Sets ex.reason to "gw: " + the message and ex.reason_code to the denial's reason.
void deny_for_limit(pipeline::Exchange& ex, const limits::Denial& denial, int64_t now_ms);

// "2026-11-24T19:35:12Z" for a Unix time in milliseconds.
std::string format_utc_second(int64_t ms);

// The virtual key the exchange runs under (identity.key_id, or the anonymous policy), or nullptr.
const config::VirtualKey* key_of(const pipeline::Exchange& ex);

}  // namespace gw::stages
