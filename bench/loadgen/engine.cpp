#include "bench/loadgen/engine.hpp"

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <memory>

#include "bench/loadgen/response_parser.hpp"
#include "bench/loadgen/summary.hpp"
#include "core/common/clock.hpp"

namespace gw::bench {

namespace {

constexpr int k_max_connect_failures = 200;

struct Conn {
  int fd = -1;
  bool connecting = true;
  bool busy = false;
  bool used = false;     // completed a response before: a close before any reply is a stale keep-alive
  bool want_out = false;
  size_t written = 0;
  int64_t sched_ns = 0;
  int64_t sent_ns = 0;
  int retries = 0;
  ResponseParser parser;
};

class Engine {
public:
  explicit Engine(const LoadSpec& s) : m_spec(s) {
    m_head = s.method + " " + s.target.path + " HTTP/1.1\r\nHost: " + s.target.host_header + "\r\n";
    bool has_ct = false;
    for (const auto& h : s.headers) {
      m_head += h + "\r\n";
      if (strncasecmp(h.c_str(), "content-type:", 13) == 0) has_ct = true;
    }
    if (!s.body.empty() || s.method != "GET") {
      if (!has_ct) m_head += "Content-Type: application/json\r\n";
      m_head += "Content-Length: " + std::to_string(s.body.size()) + "\r\n";
    }
    m_head += "\r\n";
  }
  ~Engine() {
    for (auto& c : m_conns)
      if (c->fd >= 0) ::close(c->fd);
    if (m_timer >= 0) ::close(m_timer);
    if (m_ep >= 0) ::close(m_ep);
  }

  Result<nlohmann::json> run();

private:
  void open_conn();
  void close_conn(Conn* c);
  void start(Conn* c, int64_t sched_ns, int retries);
  void try_write(Conn* c);
  void on_readable(Conn* c);
  void complete(Conn* c, int64_t now);
  void failed(Conn* c, const std::string& why);
  void dispatch();
  void after_response(Conn* c, int64_t now);
  void set_out(Conn* c, bool on);
  void poll(int64_t wake_at_ns, int64_t deadline_ns);
  void reap();
  nlohmann::json report();

  const LoadSpec& m_spec;
  std::string m_head;
  int m_ep = -1, m_timer = -1;
  std::vector<std::unique_ptr<Conn>> m_conns;
  std::vector<Conn*> m_idle;
  std::deque<std::pair<int64_t, int>> m_pending;  // (scheduled time, retries so far)
  int m_open = 0, m_connecting = 0, m_inflight = 0;
  bool m_closed_loop = false;
  bool m_stop_sending = false;
  int64_t m_measure_from = 0, m_measure_to = INT64_MAX;
  // Results
  std::vector<int64_t> m_latency, m_service, m_ttfb, m_first_event, m_gaps, m_send_lag;
  std::map<int, uint64_t> m_status;
  std::map<std::string, uint64_t> m_errors;
  uint64_t m_measured_done = 0, m_retries = 0, m_connect_failures = 0, m_opened = 0, m_events = 0;
  uint64_t m_sent = 0, m_timeouts = 0;
  size_t m_max_queue = 0;
  int m_max_conns_seen = 0;
};

void Engine::set_out(Conn* c, bool on) {
  if (c->want_out == on) return;
  c->want_out = on;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (on ? static_cast<uint32_t>(EPOLLOUT) : 0u);
  ev.data.ptr = c;
  ::epoll_ctl(m_ep, EPOLL_CTL_MOD, c->fd, &ev);
}

void Engine::open_conn() {
  int fd = start_connect(m_spec.target);
  if (fd < 0) {
    ++m_connect_failures;
    ++m_errors[std::string("connect: ") + std::strerror(errno)];
    return;
  }
  auto c = std::make_unique<Conn>();
  c->fd = fd;
  c->want_out = true;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
  ev.data.ptr = c.get();
  ::epoll_ctl(m_ep, EPOLL_CTL_ADD, fd, &ev);
  m_conns.push_back(std::move(c));
  ++m_open;
  ++m_connecting;
  ++m_opened;
  if (m_open > m_max_conns_seen) m_max_conns_seen = m_open;
}

void Engine::close_conn(Conn* c) {
  if (c->fd < 0) return;
  ::epoll_ctl(m_ep, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  c->fd = -1;
  --m_open;
  if (c->connecting) --m_connecting;
  if (c->busy) --m_inflight;
  c->busy = false;
  std::erase(m_idle, c);
}

void Engine::start(Conn* c, int64_t sched_ns, int retries) {
  c->busy = true;
  c->written = 0;
  c->sched_ns = sched_ns;
  c->sent_ns = mono_ns();
  c->retries = retries;
  c->parser.reset();
  ++m_inflight;
  ++m_sent;
  try_write(c);
}

void Engine::try_write(Conn* c) {
  size_t total = m_head.size() + m_spec.body.size();
  while (c->written < total) {
    iovec iov[2];
    int n = 0;
    if (c->written < m_head.size()) {
      iov[n++] = {const_cast<char*>(m_head.data() + c->written), m_head.size() - c->written};
      if (!m_spec.body.empty()) iov[n++] = {const_cast<char*>(m_spec.body.data()), m_spec.body.size()};
    } else {
      size_t off = c->written - m_head.size();
      iov[n++] = {const_cast<char*>(m_spec.body.data() + off), m_spec.body.size() - off};
    }
    ssize_t w = ::writev(c->fd, iov, n);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        set_out(c, true);
        return;
      }
      if (errno == EINTR) continue;
      return failed(c, std::string("write: ") + std::strerror(errno));
    }
    c->written += static_cast<size_t>(w);
  }
  set_out(c, false);
}

void Engine::on_readable(Conn* c) {
  char buf[65536];
  for (;;) {
    ssize_t r = ::read(c->fd, buf, sizeof buf);
    int64_t now = mono_ns();
    if (r > 0) {
      if (!c->busy) return failed(c, "unsolicited bytes on an idle connection");
      c->parser.feed(buf, static_cast<size_t>(r), now);
      if (c->parser.failed()) return failed(c, "bad response: " + c->parser.error());
      if (c->parser.done()) return complete(c, now);
      continue;
    }
    if (r == 0) {
      if (!c->busy) return close_conn(c);  // the server closed an idle keep-alive connection
      c->parser.on_eof(now);
      if (c->parser.done()) return complete(c, now);
      return failed(c, c->parser.error());
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    if (errno == EINTR) continue;
    return failed(c, std::string("read: ") + std::strerror(errno));
  }
}

void Engine::complete(Conn* c, int64_t now) {
  const ResponseParser& p = c->parser;
  bool measured = m_closed_loop ? (c->sent_ns >= m_measure_from && now <= m_measure_to) : c->sched_ns >= m_measure_from;
  if (measured) {
    int64_t origin = m_closed_loop ? c->sent_ns : c->sched_ns;
    ++m_measured_done;
    ++m_status[p.status()];
    m_latency.push_back(now - origin);
    m_service.push_back(now - c->sent_ns);
    m_send_lag.push_back(c->sent_ns - c->sched_ns);
    m_ttfb.push_back(p.first_byte_ns() - origin);
    const auto& ev = p.event_ns();
    m_events += ev.size();
    if (!ev.empty()) m_first_event.push_back(ev.front() - origin);
    for (size_t i = 1; i < ev.size(); ++i) m_gaps.push_back(ev[i] - ev[i - 1]);
  }
  c->busy = false;
  c->used = true;
  --m_inflight;
  after_response(c, now);
}

void Engine::after_response(Conn* c, int64_t now) {
  if (!c->parser.keep_alive()) return close_conn(c);
  if (m_closed_loop) {
    if (!m_stop_sending && now < m_measure_to) start(c, now, 0);
    return;
  }
  m_idle.push_back(c);
}

void Engine::failed(Conn* c, const std::string& why) {
  bool stale = c->busy && c->used && !c->parser.started() && c->retries < 2;
  if (c->busy && stale && !m_closed_loop) {
    // A keep-alive connection the server had already closed: resend on a fresh one, same clock.
    m_pending.emplace_front(c->sched_ns, c->retries + 1);
    ++m_retries;
  } else if (c->busy) {
    bool measured = m_closed_loop ? c->sent_ns >= m_measure_from : c->sched_ns >= m_measure_from;
    if (measured) ++m_errors[why];
  }
  close_conn(c);
  if (m_closed_loop && !m_stop_sending && m_connect_failures < k_max_connect_failures) open_conn();
}

void Engine::dispatch() {
  while (!m_pending.empty() && !m_idle.empty()) {
    Conn* c = m_idle.back();
    m_idle.pop_back();
    auto [sched, retries] = m_pending.front();
    m_pending.pop_front();
    start(c, sched, retries);
  }
  if (m_pending.size() > m_max_queue) m_max_queue = m_pending.size();
  while (static_cast<size_t>(m_connecting) < m_pending.size() && m_open < m_spec.connections &&
         m_connect_failures < k_max_connect_failures)
    open_conn();
}

void Engine::poll(int64_t wake_at_ns, int64_t deadline_ns) {
  if (wake_at_ns > 0) {
    itimerspec its{};
    its.it_value.tv_sec = wake_at_ns / 1'000'000'000;
    its.it_value.tv_nsec = wake_at_ns % 1'000'000'000;
    ::timerfd_settime(m_timer, TFD_TIMER_ABSTIME, &its, nullptr);
  }
  int64_t now = mono_ns();
  int timeout_ms = deadline_ns <= now ? 0 : static_cast<int>(std::min<int64_t>((deadline_ns - now) / 1'000'000 + 1, 1000));
  epoll_event evs[256];
  int n = ::epoll_wait(m_ep, evs, 256, timeout_ms);
  for (int i = 0; i < n; ++i) {
    auto* c = static_cast<Conn*>(evs[i].data.ptr);
    if (!c) {
      uint64_t ticks;
      (void)::read(m_timer, &ticks, sizeof ticks);
      continue;
    }
    if (c->fd < 0) continue;  // closed earlier in this batch
    uint32_t e = evs[i].events;
    if (c->connecting) {
      if (!(e & (EPOLLOUT | EPOLLERR | EPOLLHUP))) continue;
      int err = connect_error(c->fd);
      if (err != 0) {
        ++m_connect_failures;
        ++m_errors[std::string("connect: ") + std::strerror(err)];
        close_conn(c);
        continue;
      }
      c->connecting = false;
      --m_connecting;
      set_out(c, false);
      if (m_closed_loop) {
        if (!m_stop_sending) start(c, mono_ns(), 0);
      } else {
        m_idle.push_back(c);
      }
      continue;
    }
    if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(c);
    if (c->fd >= 0 && c->busy && (e & EPOLLOUT)) try_write(c);
  }
}

void Engine::reap() {
  if (m_conns.size() < 512) return;
  std::erase_if(m_conns, [](const std::unique_ptr<Conn>& c) { return c->fd < 0; });
}

Result<nlohmann::json> Engine::run() {
  ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);  // wake within ~1 us of the schedule
  m_ep = ::epoll_create1(EPOLL_CLOEXEC);
  m_timer = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (m_ep < 0 || m_timer < 0) return fail(Errc::io, std::string("epoll/timerfd: ") + std::strerror(errno));
  epoll_event tev{};
  tev.events = EPOLLIN;
  tev.data.ptr = nullptr;
  ::epoll_ctl(m_ep, EPOLL_CTL_ADD, m_timer, &tev);
  m_closed_loop = m_spec.rate <= 0;
  const int64_t sec = 1'000'000'000;

  // Connect first so the clock does not start with connection set-up.
  int first = m_closed_loop ? 0 : std::min(m_spec.preconnect, m_spec.connections);
  for (int i = 0; i < first; ++i) open_conn();
  int64_t connect_deadline = mono_ns() + 3 * sec;
  while (m_connecting > 0 && mono_ns() < connect_deadline) poll(0, connect_deadline);
  if (!m_closed_loop && m_idle.empty() && first > 0)
    return fail(Errc::unavailable, "cannot connect to " + m_spec.target.host_header);

  int64_t t0 = mono_ns() + sec / 1000;
  m_measure_from = t0 + static_cast<int64_t>(m_spec.warmup_s * 1e9);
  int64_t send_end = m_measure_from + static_cast<int64_t>(m_spec.duration_s * 1e9);
  int64_t deadline = send_end + static_cast<int64_t>(m_spec.drain_s * 1e9);

  if (m_closed_loop) {
    m_measure_to = send_end;
    for (int i = 0; i < m_spec.connections; ++i) open_conn();
    for (;;) {
      int64_t now = mono_ns();
      if (now >= send_end) m_stop_sending = true;
      if (m_stop_sending && m_inflight == 0) break;
      if (now >= deadline) break;
      if (m_open == 0 && m_connect_failures >= k_max_connect_failures) break;
      poll(0, m_stop_sending ? deadline : send_end);
      reap();
    }
  } else {
    double interval = 1e9 / m_spec.rate;
    uint64_t total = static_cast<uint64_t>(std::llround(m_spec.rate * (m_spec.warmup_s + m_spec.duration_s)));
    uint64_t i = 0;
    auto due = [&](uint64_t k) { return t0 + static_cast<int64_t>(static_cast<double>(k) * interval); };
    for (;;) {
      int64_t now = mono_ns();
      while (i < total && due(i) <= now) m_pending.emplace_back(due(i++), 0);
      dispatch();
      if (i == total && m_pending.empty() && m_inflight == 0) break;
      if (now >= deadline) break;
      if (m_open == 0 && m_connecting == 0 && m_connect_failures >= k_max_connect_failures) break;
      poll(i < total ? due(i) : 0, i < total ? due(i) : deadline);
      reap();
    }
    for (auto& [sched, r] : m_pending)
      if (sched >= m_measure_from) ++m_timeouts;
  }
  // Requests still in flight at the deadline never completed.
  for (auto& c : m_conns)
    if (c->fd >= 0 && c->busy && (m_closed_loop ? c->sent_ns : c->sched_ns) >= m_measure_from) ++m_timeouts;
  return report();
}

nlohmann::json Engine::report() {
  nlohmann::json j;
  j["mode"] = m_closed_loop ? "closed" : "open";
  if (!m_closed_loop) j["rate"] = m_spec.rate;
  j["connections_limit"] = m_spec.connections;
  j["duration_s"] = m_spec.duration_s;
  j["warmup_s"] = m_spec.warmup_s;
  j["body_bytes"] = m_spec.body.size();
  j["completed"] = m_measured_done;
  uint64_t scheduled = m_closed_loop ? 0 : static_cast<uint64_t>(std::llround(m_spec.rate * m_spec.duration_s));
  if (!m_closed_loop) j["scheduled"] = scheduled;
  j["throughput_rps"] = std::round(static_cast<double>(m_measured_done) / m_spec.duration_s * 10) / 10;
  uint64_t errors = m_timeouts;
  nlohmann::json errs = nlohmann::json::object();
  for (auto& [k, v] : m_errors) {
    errs[k] = v;
    errors += v;
  }
  uint64_t non2xx = 0;
  nlohmann::json st = nlohmann::json::object();
  for (auto& [k, v] : m_status) {
    st[std::to_string(k)] = v;
    if (k < 200 || k > 299) non2xx += v;
  }
  j["status"] = st;
  j["non_2xx"] = non2xx;
  j["errors"] = errs;
  j["timeouts"] = m_timeouts;
  j["failed"] = errors + non2xx;
  j["sent_total"] = m_sent;  // including warm-up and retries
  j["retried_stale_keepalive"] = m_retries;
  j["connections_opened"] = m_opened;
  j["connections_max"] = m_max_conns_seen;
  j["max_queue"] = m_max_queue;
  j["latency_us"] = summarize_ns(m_latency);
  j["service_us"] = summarize_ns(m_service);
  j["send_lag_us"] = summarize_ns(m_send_lag);
  j["ttfb_us"] = summarize_ns(m_ttfb);
  if (m_events > 0) {
    j["sse_events"] = m_events;
    j["first_event_us"] = summarize_ns(m_first_event);
    j["event_gap_us"] = summarize_ns(m_gaps);
  }
  return j;
}

}  // namespace

Result<nlohmann::json> run_load(const LoadSpec& spec) {
  Engine e(spec);
  return e.run();
}

}  // namespace gw::bench
