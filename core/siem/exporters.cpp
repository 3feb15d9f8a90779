#include "core/siem/exporters.hpp"

#include "core/siem/sinks.hpp"

namespace gw::siem {

Result<std::unique_ptr<SiemExporters>> SiemExporters::create(const SiemConfig& cfg, EventFeed& feed,
                                                             const std::filesystem::path& state_dir) {
  return create(cfg, feed, std::make_unique<FileCursorStore>(state_dir / "siem"));
}

Result<std::unique_ptr<SiemExporters>> SiemExporters::create(const SiemConfig& cfg, EventFeed& feed,
                                                             std::unique_ptr<CursorStore> cursors) {
  std::unique_ptr<SiemExporters> ex(new SiemExporters());
  ex->m_cursors = std::move(cursors);
  for (const auto& s : cfg.sinks) {
    GW_TRY(sink, make_sink(s));
    RunnerOptions o{.name = s.name,
                    .batch_max = s.batch_max,
                    .retry_initial_ms = s.retry_initial_ms,
                    .retry_max_ms = s.retry_max_ms};
    ex->m_runners.push_back(std::make_unique<SinkRunner>(std::move(o), std::move(sink), feed, *ex->m_cursors));
  }
  return ex;
}

SiemExporters::~SiemExporters() { stop(); }

Status SiemExporters::start() {
  for (auto& r : m_runners) {
    if (auto st = r->start(); !st) {
      stop();
      return st;
    }
  }
  return {};
}

void SiemExporters::stop() {
  for (auto& r : m_runners) r->stop();
}

std::vector<SinkStatus> SiemExporters::status() const {
  std::vector<SinkStatus> out;
  for (const auto& r : m_runners) out.push_back(r->status());
  return out;
}

bool SiemExporters::wait_for_cursor(const std::string& name, uint64_t position,
                                    std::chrono::milliseconds timeout) const {
  for (const auto& r : m_runners)
    if (r->status().name == name) return r->wait_for_cursor(position, timeout);
  return false;
}

}  // namespace gw::siem
