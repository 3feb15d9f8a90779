#pragma once
// Turns one agent request into an Exchange, runs the pipeline of the policy in force, and relays
// the upstream response to the agent byte for byte as it arrives: SSE events are tapped (parsed
// beside the relay for the stages), never rewritten; a cut upstream stream cuts the agent's
// stream so the agent's own retry logic runs. Every exchange is completed exactly once.
#include <atomic>
#include <memory>
#include <string>

#include "core/http/server.hpp"
#include "core/pipeline/pipeline.hpp"
#include "core/stages/services.hpp"

namespace gw::relay {

// The policy in force and the pipeline built from it, swapped as a unit on reload.
struct Snapshot {
  std::shared_ptr<const config::Policy> policy;
  std::shared_ptr<const pipeline::Pipeline> pipeline;
};

class Relay {
public:
  explicit Relay(const stages::Services& services) : m_services(services) {}
  void install(std::shared_ptr<const Snapshot> snapshot) { m_snapshot.store(std::move(snapshot)); }
  std::shared_ptr<const Snapshot> snapshot() const { return m_snapshot.load(); }

  // Handles a request whose body was read: answers through res, streaming the upstream body as
  // it arrives. Returns once the exchange is complete (answered, cut, or the agent gone).
  void handle(const http::RequestHead& head, std::string body, http::ResponseWriter& res);
  // Answers without running the pipeline (loopback guard, oversized body), in the shape of the
  // API the path belongs to.
  void refuse(const http::RequestHead& head, http::ResponseWriter& res, int status, std::string message);

private:
  void respond_local(pipeline::Exchange& ex, http::ResponseWriter& res);
  void relay_upstream(pipeline::Exchange& ex, const pipeline::Pipeline& pipeline, http::ResponseWriter& res);
  void finish(pipeline::Exchange& ex, const pipeline::Pipeline* pipeline);
  const stages::Services& m_services;
  std::atomic<std::shared_ptr<const Snapshot>> m_snapshot;
};

}  // namespace gw::relay
