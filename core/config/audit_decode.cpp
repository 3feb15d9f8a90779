#include "core/config/audit_decode.hpp"

#include "core/config/policy_reader.hpp"

namespace gw::config::detail {

void decode_audit(const nlohmann::json& table, AuditPolicy& out, Diagnostics& diag) {
  ObjectReader r(table, "audit", diag);
  if (!r.valid()) return;
  if (auto v = r.boolean("enabled")) out.enabled = *v;
  if (auto v = r.string("fail_mode")) {
    if (*v == "closed") out.fail_mode = AuditPolicy::FailMode::closed;
    else if (*v == "open") out.fail_mode = AuditPolicy::FailMode::open;
    else diag.error(r.child("fail_mode"), "must be 'closed' (refuse requests that cannot be audited) or "
                                          "'open' (forward them and record the gap); got '" + *v + "'");
  }
  if (auto v = r.integer("max_spool_mb", 1)) out.max_spool_mb = *v;
  if (auto v = r.string("on_full")) {
    if (*v == "refuse") out.on_full = AuditPolicy::OnFull::refuse;
    else if (*v == "prune_shipped") out.on_full = AuditPolicy::OnFull::prune_shipped;
    else diag.error(r.child("on_full"), "must be 'refuse' or 'prune_shipped'; got '" + *v + "'");
  }
  if (auto v = r.integer("checkpoint_every_events", 1)) out.checkpoint_every_events = *v;
  if (auto v = r.integer("checkpoint_every_seconds", 1)) out.checkpoint_every_seconds = *v;
  if (auto v = r.boolean("log_content")) out.log_content = *v;
  if (auto v = r.integer("content_max_bytes", 1)) out.content_max_bytes = *v;
  constexpr int64_t k_max_mb = 1 << 20;  // 1 TiB: larger is a typo
  if (out.max_spool_mb > k_max_mb)
    diag.error(r.child("max_spool_mb"), "must be at most " + std::to_string(k_max_mb) + " (1 TiB)");
  r.finish();
}

}  // namespace gw::config::detail
