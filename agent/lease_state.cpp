// LeaseClient's state file (leases.json in the state dir): the leases held, so a restarted
// sidecar resumes them (and reports the spend made on them) instead of acquiring new ones while
// the old ones still hold budget at the central until they expire.
#include "agent/lease_state.hpp"

#include "core/common/files.hpp"
#include "core/common/log.hpp"

namespace gw::agent {
using nlohmann::json;

void LeaseClient::save_locked() {
  m_dirty = false;
  if (m_opts.state_file.empty()) return;
  json leases = json::array();
  for (const auto& [_, l] : m_leases) {
    if (l->lease_id.empty()) continue;
    leases.push_back({{"scope", l->scope}, {"budget", l->budget}, {"lease_id", l->lease_id},
                      {"window_start_ms", l->window_start}, {"window_end_ms", l->window_end},
                      {"granted_nano", l->granted}, {"spent_nano", l->spent}, {"reported_nano", l->reported},
                      {"expires_at_ms", l->expires_at}, {"slice_nano", l->slice}, {"ttl_ms", l->ttl_ms}});
  }
  json doc = {{"v", 1}, {"url", m_opts.url}, {"device_id", m_opts.device_id}, {"leases", leases}};
  if (auto st = write_file_atomic(m_opts.state_file, doc.dump(), 0600); !st)
    log::write(log::Level::warn, "cannot save lease state", {{"error", st.error().message}});
}

void LeaseClient::load() {
  if (m_opts.state_file.empty()) return;
  auto text = read_file(m_opts.state_file, 1 << 20);
  if (!text) return;  // none yet
  auto doc = json::parse(*text, nullptr, false);
  // Leases of another central or device are not ours to resume.
  if (!doc.is_object() || doc.value("url", "") != m_opts.url || doc.value("device_id", "") != m_opts.device_id ||
      !doc.contains("leases") || !doc["leases"].is_array()) {
    log::write(log::Level::warn, "ignoring lease state of another central or device", {{"file", m_opts.state_file.string()}});
    return;
  }
  const int64_t now = m_clock.now_ms();
  for (const auto& e : doc["leases"]) {
    if (!e.is_object() || e.value("window_end_ms", int64_t{0}) <= now) continue;
    auto l = std::make_unique<Lease>();
    l->scope = e.value("scope", "");
    l->budget = e.value("budget", "");
    l->lease_id = e.value("lease_id", "");
    l->window_start = e.value("window_start_ms", int64_t{0});
    l->window_end = e.value("window_end_ms", int64_t{0});
    l->granted = e.value("granted_nano", int64_t{0});
    l->spent = e.value("spent_nano", int64_t{0});
    l->reported = e.value("reported_nano", int64_t{0});
    l->expires_at = e.value("expires_at_ms", int64_t{0});
    l->slice = e.value("slice_nano", int64_t{0});
    l->ttl_ms = e.value("ttl_ms", int64_t{600'000});
    if (l->scope.empty() || l->budget.empty() || l->lease_id.empty()) continue;
    std::string key = l->scope + "|" + l->budget;
    m_leases[key] = std::move(l);
  }
}

}  // namespace gw::agent
