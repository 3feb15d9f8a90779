#include "core/stages/policy_denial.hpp"

#include <ctime>

#include "core/config/policy.hpp"

namespace gw::stages {

namespace {

// Longest wait each agent is asked to sit through (ADR 0037). All three honour the wait (Claude
// Code: max(retry-after, backoff), 10 retries; Codex: retry-after exactly, 5 retries; Gemini CLI:
// max(RetryInfo, 5 s backoff), terminal beyond 300 s) but show nothing useful while they wait in
// -p/exec mode, and Codex ends a run of 429s with "exceeded retry limit" and none of our text.
// 20 s is the point where Claude Code itself stops waiting on a rate limit and cools down instead.
constexpr int64_t k_claude_max_wait_s = 20;
constexpr int64_t k_codex_max_wait_s = 20;
constexpr int64_t k_gemini_max_wait_s = 20;

}  // namespace

int refusal_status(const providers::Provider& provider) {
  return provider.kind() == providers::ApiKind::gemini ? 403 : 400;
}

std::optional<int64_t> max_retry_wait_s(std::string_view agent) {
  if (agent == "claude-code") return k_claude_max_wait_s;
  if (agent == "codex") return k_codex_max_wait_s;
  if (agent == "gemini-cli") return k_gemini_max_wait_s;
  return std::nullopt;
}

std::string format_utc_second(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void deny_for_limit(pipeline::Exchange& ex, const limits::Denial& denial, int64_t now_ms) {
  providers::ErrorSpec spec;
  spec.message = "gw: " + denial.message();
  if (denial.is_rate_limit()) {
    const int64_t wait_s = denial.retry_after_seconds();
    const auto max_wait = max_retry_wait_s(ex.agent);
    if (!max_wait || wait_s <= *max_wait) {
      spec.status = 429;
      spec.retry_after_s = wait_s;
    } else {
      // A long wait: refuse now, so the developer reads which limit and when, instead of an
      // agent that hangs silently and (Codex) then fails without our message.
      spec.status = refusal_status(*ex.provider);
      spec.message += " (at " + format_utc_second(now_ms + denial.retry_after_ms) +
                      "); refused now instead of making the agent wait that long. Send it again "
                      "then, or ask your platform team to raise the limit.";
    }
  } else {
    spec.status = refusal_status(*ex.provider);
  }
  ex.deny(spec);
  ex.reason_code = denial.reason();
}

const config::VirtualKey* key_of(const pipeline::Exchange& ex) {
  if (!ex.policy) return nullptr;
  if (ex.identity.kind == pipeline::Identity::Kind::anonymous)
    return ex.policy->anonymous ? &*ex.policy->anonymous : nullptr;
  if (ex.identity.key_id.empty()) return nullptr;
  return ex.policy->find_key(ex.identity.key_id);
}

}  // namespace gw::stages
