#include "agent/relay.hpp"

#include <httplib.h>

#include "core/common/clock.hpp"
#include "core/common/ids.hpp"
#include "core/providers/client_info.hpp"

namespace gw::agent {

using pipeline::Exchange;
using pipeline::Outcome;

namespace {

// Pseudo-headers httplib adds to every request; they are not the agent's and must not travel.
bool is_httplib_pseudo_header(std::string_view name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT";
}

http::Request to_request(const httplib::Request& h, std::string body) {
  http::Request r;
  r.method = h.method;
  r.path = h.path;
  size_t q = h.target.find('?');
  if (q != std::string::npos) r.query = h.target.substr(q + 1);
  for (const auto& [k, v] : h.headers)
    if (!is_httplib_pseudo_header(k) && !http::is_hop_by_hop(k) && !http::iequals(k, "content-length"))
      r.headers.add(k, v);
  r.body = std::move(body);
  return r;
}

constexpr size_t k_max_tapped_json = 16 * 1024 * 1024;

// The state of one relayed response, shared by the content provider and its releaser.
struct RelayState {
  std::shared_ptr<Exchange> ex;
  std::shared_ptr<const pipeline::Pipeline> pipeline;
  std::unique_ptr<http::SseParser> sse;  // set for text/event-stream responses
  std::string json;                      // non-stream body, kept for the usage tap
  std::string chunk;
  std::string filtered;                  // what a rewriting response filter lets through now
  bool ended = false;                    // upstream body ended cleanly
  bool cut = false;
  bool client_gone = false;
  bool completed = false;
};

}  // namespace

void Relay::finish(Exchange& ex, const pipeline::Pipeline* pipeline) {
  ex.t.end_ns = mono_ns();
  if (pipeline) pipeline->complete(ex);
  m_services.sink.record(ex);
}

void Relay::respond_local(Exchange& ex, httplib::Response& res) {
  const http::Reply& r = *ex.reply;
  res.status = r.status;
  for (const auto& [k, v] : r.headers.items()) res.set_header(k, v);
  if (!r.body.empty()) res.set_content(r.body, r.content_type);
  ex.status = r.status;
  ex.bytes_out = static_cast<int64_t>(r.body.size());
}

void Relay::refuse(const httplib::Request& hreq, httplib::Response& res, int status, std::string message) {
  Exchange ex;
  ex.id = uuid_v7();
  ex.t.start_ns = mono_ns();
  m_services.sink.begin(ex);
  auto resolved = m_services.registry.resolve(hreq.method, hreq.path, http::Headers());
  ex.provider = resolved.provider;
  ex.request.method = hreq.method;
  ex.request.path = resolved.path;
  ex.original_path = hreq.path;
  ex.agent = providers::detect_client(to_request(hreq, "").headers).agent;
  ex.deny({status, std::move(message)});
  ex.reason_code = "refused";
  respond_local(ex, res);
  finish(ex, nullptr);
}

void Relay::handle(const httplib::Request& hreq, httplib::Response& res, std::string body) {
  auto ex = std::make_shared<Exchange>();
  ex->t.start_ns = mono_ns();
  ex->id = uuid_v7();
  m_services.sink.begin(*ex);
  ex->bytes_in = static_cast<int64_t>(body.size());
  ex->request = to_request(hreq, std::move(body));
  ex->original_path = hreq.path;
  auto resolved = m_services.registry.resolve(ex->request.method, ex->request.path, ex->request.headers);
  ex->provider = resolved.provider;
  ex->request.path = resolved.path;
  auto client = providers::detect_client(ex->request.headers);
  ex->agent = client.agent;
  ex->agent_session = client.session_id;
  auto snap = m_snapshot.load();
  ex->policy = snap->policy;

  if (!resolved.route) {
    ex->deny({404, "gw: unknown route " + hreq.method + " " + hreq.path + " for the " +
                       std::string(ex->provider->id()) + " API"}, Outcome::gateway_error);
    respond_local(*ex, res);
    return finish(*ex, nullptr);
  }
  ex->route = *resolved.route;
  if (ex->route.endpoint == providers::Endpoint::preconnect) {  // Claude Code's ignored HEAD /
    res.status = 200;
    ex->status = 200;
    ex->outcome = Outcome::completed;
    return finish(*ex, nullptr);
  }
  if (ex->route.has_body) {
    auto info = ex->provider->inspect(ex->route, ex->request);
    if (!info) {
      ex->deny({400, "gw: invalid request: " + info.error().message}, Outcome::gateway_error);
      respond_local(*ex, res);
      return finish(*ex, nullptr);
    }
    ex->info = std::move(*info);
  }

  const auto& pipeline = snap->pipeline;
  if (pipeline->run(*ex) == pipeline::StageStatus::respond || !ex->upstream) {
    if (!ex->reply) ex->deny({500, "gw: internal error: no stage answered the request"}, Outcome::gateway_error);
    respond_local(*ex, res);
    return finish(*ex, pipeline.get());
  }

  http::UpstreamResponse& up = *ex->upstream;
  res.status = up.status;
  std::string content_type = "application/octet-stream";
  for (const auto& [k, v] : up.headers.items()) {
    if (http::is_hop_by_hop(k) || http::iequals(k, "content-length")) continue;
    if (http::iequals(k, "content-type")) {
      content_type = v;
      continue;
    }
    res.set_header(k, v);
  }
  auto st = std::make_shared<RelayState>();
  st->ex = ex;
  st->pipeline = pipeline;
  st->ended = up.finished();  // an empty body is complete at the head
  bool is_sse = content_type.starts_with("text/event-stream");
  pipeline::ResponseFilter* filter = ex->response_filter.get();
  if (filter) filter->begin(*ex, up.status, is_sse);
  const bool rewrite = filter && filter->rewrites();
  if (is_sse) {
    Exchange* exp = ex.get();
    const pipeline::Pipeline* pp = pipeline.get();
    st->sse = std::make_unique<http::SseParser>([exp, pp](const http::SseEvent& ev) { pp->on_event(*exp, ev); });
  }

  // Completes the exchange once: usage settled, stages' on_complete run, counters updated. Runs
  // before the last bytes reach the agent when the body ended cleanly, so an agent that has its
  // answer also finds it accounted; otherwise (cut, agent gone) from httplib's releaser.
  auto complete = [this, st]() {
    if (st->completed) return;
    st->completed = true;
    Exchange& e = *st->ex;
    if (st->ended && !st->sse && e.usage_tap) e.usage_tap->on_json_body(st->json);
    e.outcome = st->ended ? Outcome::completed : st->cut ? Outcome::stream_cut : Outcome::client_gone;
    finish(e, st->pipeline.get());
  };
  // Relays the next piece of the upstream body; false aborts the response (the agent sees the
  // connection cut, exactly as the upstream cut it).
  auto pump = [st, complete, filter, rewrite](httplib::DataSink& sink) -> bool {
    Exchange& e = *st->ex;
    auto n = e.upstream->read_body(st->chunk);
    if (!n) {
      st->cut = true;
      e.reason = n.error().message;
      return false;
    }
    // A Content-Length body is complete once its last byte is read; httplib does not ask again.
    const bool last = *n == 0 || e.upstream->finished();
    std::string_view send(st->chunk.data(), *n);
    if (filter) {  // only when policy asked for it; otherwise the bytes go through untouched
      st->filtered.clear();
      if (*n) filter->write(e, send, st->filtered);
      if (last) filter->finish(e, st->filtered);
      if (rewrite) send = st->filtered;
    }
    if (*n) {
      if (e.t.first_byte_ns == 0) e.t.first_byte_ns = mono_ns();
      if (st->sse) st->sse->feed(st->chunk);
      else if (st->json.size() + st->chunk.size() <= k_max_tapped_json) st->json += st->chunk;
    }
    e.bytes_out += static_cast<int64_t>(send.size());
    if (last) {
      st->ended = true;
      complete();
    }
    if (!send.empty() && !sink.write(send.data(), send.size())) {
      st->client_gone = true;
      return false;
    }
    return true;
  };
  auto release = [st, complete](bool) {
    complete();
    st->ex->upstream.reset();  // returns the connection to the pool, or closes a cut one
  };

  if (auto len = up.content_length(); len && !up.chunked() && !rewrite) {
    res.set_content_provider(
        static_cast<size_t>(*len), content_type,
        [pump](size_t, size_t, httplib::DataSink& sink) { return pump(sink); },
        release);
  } else {
    res.set_chunked_content_provider(
        content_type,
        [st, pump](size_t, httplib::DataSink& sink) {
          if (!pump(sink)) return false;
          if (st->ended) sink.done();
          return true;
        },
        release);
  }
}

}  // namespace gw::agent
