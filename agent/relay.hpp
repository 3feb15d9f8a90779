#pragma once
// Turns one agent request into an Exchange, runs the pipeline of the policy in force, and relays
// the upstream response to the agent byte for byte as it arrives: SSE events are tapped (parsed
// beside the relay for the stages), never rewritten; a cut upstream stream cuts the agent's
// stream so the agent's own retry logic runs. Every exchange is completed exactly once.
#include <atomic>
#include <memory>
#include <string>

#include "core/pipeline/pipeline.hpp"
#include "core/stages/services.hpp"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace gw::agent {

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

  // Handles a request whose body was read; fills res (possibly with a streaming provider).
  void handle(const httplib::Request& hreq, httplib::Response& res, std::string body);
  // Answers without running the pipeline (loopback guard, oversized body), in the shape of the
  // API the path belongs to.
  void refuse(const httplib::Request& hreq, httplib::Response& res, int status, std::string message);

private:
  void respond_local(pipeline::Exchange& ex, httplib::Response& res);
  void finish(pipeline::Exchange& ex, const pipeline::Pipeline* pipeline);
  const stages::Services& m_services;
  std::atomic<std::shared_ptr<const Snapshot>> m_snapshot;
};

}  // namespace gw::agent
