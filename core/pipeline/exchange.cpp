#include "core/pipeline/exchange.hpp"

namespace gw::pipeline {

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::pending: return "pending";
    case Outcome::completed: return "completed";
    case Outcome::denied: return "denied";
    case Outcome::gateway_error: return "gateway_error";
    case Outcome::upstream_error: return "upstream_error";
    case Outcome::stream_cut: return "stream_cut";
    case Outcome::client_gone: return "client_gone";
  }
  return "pending";
}

void Exchange::deny(const providers::ErrorSpec& spec, Outcome o) {
  providers::ErrorSpec s = spec;
  if (s.request_id.empty()) s.request_id = id;
  reply = provider->error_reply(s);
  status = s.status;
  outcome = o;
  reason = s.message;
}

}  // namespace gw::pipeline
