// serialize_event (the DOM-free writer) must give exactly the bytes of the nlohmann DOM dump, or
// every record hashed since would chain differently. Random events, every field, nasty strings.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "core/audit/event.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

using namespace gw::audit;

namespace {
// Strings drawn from pieces that exercise every escape and UTF-8 rule, valid or not.
std::string random_string(std::mt19937_64& rng) {
  static const std::string k_pieces[] = {
      "a", "Z", "0", " ", "alice@example.com", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t",
      std::string(1, '\0'), "\x01", "\x1f", "\x7f", "é", "€", "𝄞", "日本",
      "\xc3",          // truncated 2-byte sequence
      "\xc0\xaf",      // overlong
      "\xe0\x80\xaf",  // overlong 3-byte
      "\xed\xa0\x80",  // surrogate
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xff", "\x80", "\xf0\x9f\x98", "\xef\xbf\xbd"};
  std::uniform_int_distribution<int> len(0, 6), pick(0, static_cast<int>(std::size(k_pieces)) - 1);
  std::string s;
  for (int n = len(rng); n > 0; --n) s += k_pieces[pick(rng)];
  return s;
}

int64_t random_int(std::mt19937_64& rng) {
  switch (rng() % 5) {
    case 0: return 0;
    case 1: return static_cast<int64_t>(rng() % 1000);
    case 2: return -static_cast<int64_t>(rng() % 100000);
    case 3: return static_cast<int64_t>(rng());
    default: return std::numeric_limits<int64_t>::min() + static_cast<int64_t>(rng() % 3);
  }
}

AuditEvent random_event(std::mt19937_64& rng) {
  auto s = [&] { return rng() % 3 == 0 ? std::string() : random_string(rng); };
  auto i = [&] { return random_int(rng); };
  AuditEvent ev;
  ev.seq = rng() % 4 == 0 ? rng() : rng() % 100000;
  ev.prev = s();
  ev.id = s();
  ev.kind = static_cast<EventKind>(rng() % 6);
  ev.time_ms = i();
  ev.request_started_ms = i();
  ev.request_id = s();
  ev.device_id = s();
  ev.user = s();
  ev.virtual_key_id = s();
  ev.team = s();
  ev.agent = s();
  ev.agent_session_id = s();
  ev.provider = s();
  ev.model = s();
  ev.endpoint = s();
  ev.streamed = rng() % 2;
  ev.http_status = static_cast<int>(i() % 100000);
  ev.decision = static_cast<Decision>(rng() % 4);
  ev.reason = s();
  for (int n = static_cast<int>(rng() % 3); n > 0; --n) ev.findings.push_back({s(), s(), s()});
  if (rng() % 2) ev.usage = Usage{i(), i(), i(), i(), i()};
  if (rng() % 2) ev.cost_nano_usd = i();
  if (rng() % 2) ev.latency = Latency{i(), i(), i()};
  ev.bytes_in = i();
  ev.bytes_out = i();
  ev.policy_version = s();
  ev.gw_version = s();
  ev.credential_stores = {s(), s()};
  ev.content = s();
  ev.content_truncated = rng() % 2;
  return ev;
}
}  // namespace

TEST_CASE("AuditEvent: the direct writer gives byte-for-byte the DOM's record for random events") {
  std::mt19937_64 rng(20261125);
  for (int n = 0; n < 20000; ++n) {
    AuditEvent ev = random_event(rng);
    const std::string fast = serialize_event(ev);
    const std::string dom = serialize_event_dom(ev);
    if (fast != dom) {
      INFO("event #" << n);
      REQUIRE(fast == dom);
    }
  }
}

TEST_CASE("AuditEvent: the direct writer matches the DOM on an empty event and the sample events") {
  CHECK(serialize_event(AuditEvent{}) == serialize_event_dom(AuditEvent{}));
  for (auto kind : {EventKind::admitted, EventKind::completed, EventKind::denied, EventKind::gap}) {
    auto ev = test::sample_event(kind);
    CHECK(serialize_event(ev) == serialize_event_dom(ev));
  }
}
