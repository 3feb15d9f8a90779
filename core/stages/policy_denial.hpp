#pragma once
// How policy denials (model access, budgets, rate limits) are worded and which status they get
// per API, chosen from how each agent shows them (shared/wire/AGENTS-WIRE.md):
//  - Anthropic (Claude Code): 400 for policy refusals (401/403 read as "Failed to authenticate"
//    and 401 is retried); 429 + retry-after for rate limits (honoured exactly).
//  - OpenAI (Codex): 400 for refusals (no retry; 403 would be retried like 401); 429 +
//    retry-after for rate limits.
//  - Gemini (Gemini CLI): 403 PERMISSION_DENIED for refusals (no retry); 429 with RetryInfo for
//    rate limits.
#include "core/config/policy.hpp"
#include "core/limits/denial.hpp"
#include "core/pipeline/exchange.hpp"

namespace gw::stages {

// Status for a non-retryable policy refusal on this API.
int refusal_status(const providers::Provider& provider);
// Refuses `ex` for a limits denial: budget/unpriced as a refusal, rate limits as 429 with
// retry-after. Sets ex.reason to "gw: " + the denial's message.
void deny_for_limit(pipeline::Exchange& ex, const limits::Denial& denial);
// The virtual key the exchange runs under (identity.key_id, or the anonymous policy), or nullptr.
const config::VirtualKey* key_of(const pipeline::Exchange& ex);

}  // namespace gw::stages
