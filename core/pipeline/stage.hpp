#pragma once
// The pipeline stage contract. Stages run in the order written in pipeline.cpp.
#include <string_view>

#include "core/http/sse.hpp"

namespace gw::pipeline {

struct Exchange;

enum class StageStatus { proceed, respond };  // respond: the stage set ex.reply; the chain stops

class Stage {
public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  // Before upstream, on the request thread. May read and change ex.request (e.g. redact), set
  // ex fields it owns, or refuse with ex.deny(...) and return respond.
  virtual StageStatus on_request(Exchange& ex) = 0;
  // For each SSE event of a streamed upstream response, on the relaying thread, after the bytes
  // of that event were passed to the client. Must be cheap; must not block.
  virtual void on_response_event(Exchange& ex, const http::SseEvent& ev) {}
  // Once per request after the response ended (completed, cut, refused or failed); runs for
  // every stage whose on_request ran (including the one that responded), in reverse order.
  virtual void on_complete(Exchange& ex) {}
};

}  // namespace gw::pipeline
