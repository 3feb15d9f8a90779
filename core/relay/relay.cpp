#include "core/relay/relay.hpp"

#include "core/common/clock.hpp"
#include "core/common/ids.hpp"
#include "core/providers/client_info.hpp"

namespace gw::relay {

using pipeline::Exchange;
using pipeline::Outcome;

namespace {

// The agent's request as the pipeline sees it: framing and hop-by-hop headers stay behind (the
// body is complete; Expect was answered by the server).
http::Request to_request(const http::RequestHead& h, std::string body) {
  http::Request r;
  r.method = h.method;
  r.path = h.path;
  r.query = h.query;
  r.headers.items().reserve(h.headers.items().size());
  for (const auto& [k, v] : h.headers.items())
    if (!http::is_hop_by_hop(k) && !http::iequals(k, "content-length") && !http::iequals(k, "expect"))
      r.headers.add(k, v);
  r.body = std::move(body);
  return r;
}

constexpr size_t k_max_tapped_json = 16 * 1024 * 1024;

}  // namespace

void Relay::finish(Exchange& ex, const pipeline::Pipeline* pipeline) {
  ex.t.end_ns = mono_ns();
  if (pipeline) pipeline->complete(ex);
  m_services.sink.record(ex);
}

void Relay::respond_local(Exchange& ex, http::ResponseWriter& res) {
  const http::Reply& r = *ex.reply;
  res.send(r.status, r.headers, r.body.empty() ? std::string_view() : std::string_view(r.content_type), r.body);
  ex.status = r.status;
  ex.bytes_out = static_cast<int64_t>(r.body.size());
}

void Relay::refuse(const http::RequestHead& head, http::ResponseWriter& res, int status, std::string message) {
  Exchange ex;
  ex.id = uuid_v7();
  ex.t.start_ns = mono_ns();
  m_services.sink.begin(ex);
  auto resolved = m_services.registry.resolve(head.method, head.path, http::Headers());
  ex.provider = resolved.provider;
  ex.request.method = head.method;
  ex.request.path = resolved.path;
  ex.original_path = head.path;
  ex.agent = providers::detect_client(head.headers).agent;
  ex.deny({status, std::move(message)});
  ex.reason_code = "refused";
  respond_local(ex, res);
  finish(ex, nullptr);
}

void Relay::handle(const http::RequestHead& head, std::string body, http::ResponseWriter& res) {
  auto ex = std::make_shared<Exchange>();
  ex->t.start_ns = mono_ns();
  ex->id = uuid_v7();
  m_services.sink.begin(*ex);
  ex->bytes_in = static_cast<int64_t>(body.size());
  ex->request = to_request(head, std::move(body));
  ex->original_path = head.path;
  auto resolved = m_services.registry.resolve(ex->request.method, ex->request.path, ex->request.headers);
  ex->provider = resolved.provider;
  ex->request.path = resolved.path;
  auto client = providers::detect_client(ex->request.headers);
  ex->agent = client.agent;
  ex->agent_session = client.session_id;
  auto snap = m_snapshot.load();
  ex->policy = snap->policy;

  if (!resolved.route) {
    ex->deny({404, "gw: unknown route " + head.method + " " + head.path + " for the " +
                       std::string(ex->provider->id()) + " API"}, Outcome::gateway_error);
    respond_local(*ex, res);
    return finish(*ex, nullptr);
  }
  ex->route = *resolved.route;
  if (ex->route.endpoint == providers::Endpoint::preconnect) {  // Claude Code's ignored HEAD /
    res.send(200, {}, {}, {});
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
  relay_upstream(*ex, *pipeline, res);
}

void Relay::relay_upstream(Exchange& e, const pipeline::Pipeline& pipeline, http::ResponseWriter& res) {
  http::UpstreamResponse& up = *e.upstream;
  http::Headers out;
  out.items().reserve(up.headers.items().size() + 1);
  bool is_sse = false, has_type = false;
  for (const auto& [k, v] : up.headers.items()) {
    if (http::is_hop_by_hop(k) || http::iequals(k, "content-length")) continue;
    if (http::iequals(k, "content-type")) {
      if (has_type) continue;
      has_type = true;
      is_sse = v.starts_with("text/event-stream");
    }
    out.add(k, v);
  }
  if (!has_type) out.add("Content-Type", "application/octet-stream");
  pipeline::ResponseFilter* filter = e.response_filter.get();
  if (filter) filter->begin(e, up.status, is_sse);
  const bool rewrite = filter && filter->rewrites();
  std::unique_ptr<http::SseParser> sse;
  if (is_sse) {
    Exchange* exp = &e;
    const pipeline::Pipeline* pp = &pipeline;
    sse = std::make_unique<http::SseParser>([exp, pp](const http::SseEvent& ev) { pp->on_event(*exp, ev); });
  }
  std::optional<uint64_t> length;
  if (auto len = up.content_length(); len && !up.chunked() && !rewrite) length = static_cast<uint64_t>(*len);
  res.start(up.status, out, length);

  std::string chunk, json, filtered;
  bool ended = false, cut = false, client_gone = false, completed = false;
  // Completes the exchange once: usage settled, stages' on_complete run, counters updated. Runs
  // before the last bytes reach the agent when the body ended cleanly, so an agent that has its
  // answer also finds it accounted.
  auto complete = [&] {
    if (completed) return;
    completed = true;
    if (ended && !sse && e.usage_tap) e.usage_tap->on_json_body(json);
    e.outcome = ended ? Outcome::completed : cut ? Outcome::stream_cut : Outcome::client_gone;
    finish(e, &pipeline);
  };
  bool last = up.finished();  // an empty body is complete at the head
  while (true) {
    size_t n = 0;
    if (!last) {
      auto r = up.read_body(chunk);
      if (!r) {  // the upstream cut its body: cut the agent's too, so its retry logic runs
        cut = true;
        e.reason = r.error().message;
        break;
      }
      n = *r;
      last = n == 0 || up.finished();
    }
    std::string_view send(chunk.data(), n);
    if (filter) {  // only when policy asked for it; otherwise the bytes go through untouched
      filtered.clear();
      if (n) filter->write(e, send, filtered);
      if (last) filter->finish(e, filtered);
      if (rewrite) send = filtered;
    }
    if (n) {
      if (e.t.first_byte_ns == 0) e.t.first_byte_ns = mono_ns();
      if (sse) sse->feed(std::string_view(chunk.data(), n));
      else if (json.size() + n <= k_max_tapped_json) json.append(chunk.data(), n);
    }
    e.bytes_out += static_cast<int64_t>(send.size());
    if (last) {
      ended = true;
      complete();
    }
    if (!send.empty() && !res.write(send)) {
      client_gone = true;
      break;
    }
    if (last) {
      if (!res.end()) client_gone = true;
      break;
    }
  }
  (void)client_gone;
  complete();
  e.upstream.reset();  // returns the connection to the pool, or closes a cut one
}

}  // namespace gw::relay
