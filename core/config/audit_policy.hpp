#pragma once
// The [audit] section of policy: whether requests are recorded in the local audit spool, what
// happens when the spool cannot record them, how big it may grow, how often it is signed, and
// whether (redacted) prompt content is kept. Decoded by audit_decode.cpp; documented in
// docs/audit.md and docs/policy.md.
#include <cstdint>

namespace gw::config {

struct AuditPolicy {
  // Off: no audit records at all (the spool is not even opened).
  bool enabled = true;
  // What a request does when its "admitted" record cannot be written (disk full, permissions):
  // closed = refused (the default); open = forwarded anyway, and the spool records a "gap"
  // event counting such requests as soon as it can write again.
  enum class FailMode { closed, open } fail_mode = FailMode::closed;
  // Size cap of the spool. Applied when the sidecar starts (a reload that changes it is logged).
  int64_t max_spool_mb = 512;
  // When the cap is reached: refuse new requests (default), or first delete segments the
  // central gateway has acknowledged and refuse only if that frees nothing. Nothing that was not
  // shipped is ever dropped.
  enum class OnFull { refuse, prune_shipped } on_full = OnFull::refuse;
  // A signed checkpoint every N records or T seconds (whichever first), and on shutdown.
  int64_t checkpoint_every_events = 1000;
  int64_t checkpoint_every_seconds = 60;
  // Record the request body in the admitted event, after redacting every secret and PII match of
  // the built-in rules (whatever the guardrail actions are), cut at content_max_bytes.
  bool log_content = false;
  int64_t content_max_bytes = 65536;
};

}  // namespace gw::config
