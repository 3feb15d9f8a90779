// serialize_event without a JSON DOM: the record's bytes appended straight into one string, in
// the exact form nlohmann's dump() gives event_to_json(ev) (keys in byte order, compact, the same
// escapes), so the hash chain format is unchanged. tests/unit/audit/event_writer_test.cpp checks
// byte identity against the DOM for random events. A new event field goes into event_to_json AND
// here, at its key's sorted position.
#include <charconv>

#include <nlohmann/json.hpp>

#include "core/audit/event.hpp"

namespace gw::audit {
namespace {

// Length of the valid UTF-8 sequence starting at s[i] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), or 0 if it is not one.
size_t utf8_length(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = at(i);
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i + k < s.size() && at(i + k) >= lo && at(i + k) <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

class Writer {
public:
  explicit Writer(std::string& out) : m_out(out) {}

  void key(std::string_view k) {
    m_out.push_back(m_first ? '{' : ',');
    m_first = false;
    m_out.push_back('"');
    m_out.append(k);
    m_out.append("\":");
  }
  void str(std::string_view k, std::string_view v) {
    key(k);
    string(v);
  }
  void opt_str(std::string_view k, std::string_view v) {
    if (!v.empty()) str(k, v);
  }
  void num(std::string_view k, int64_t v) {
    key(k);
    number(v);
  }
  void opt_num(std::string_view k, int64_t v) {
    if (v != 0) num(k, v);
  }
  void unum(std::string_view k, uint64_t v) {
    key(k);
    number(v);
  }
  void boolean(std::string_view k, bool v) {
    key(k);
    m_out.append(v ? "true" : "false");
  }
  void close() { m_out.append(m_first ? "{}" : "}"); }

  template <class T>
  void number(T v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    m_out.append(buf, static_cast<size_t>(end - buf));
  }

  // A JSON string as nlohmann writes it with ensure_ascii off: ", \ and control characters
  // escaped (\b \f \n \r \t, else \u00xx lowercase), valid UTF-8 as is. Invalid UTF-8 is rare
  // (a client-sent header): that string is handed to nlohmann for its U+FFFD replacement.
  void string(std::string_view s) {
    const size_t start = m_out.size();
    m_out.push_back('"');
    size_t run = 0;  // start of the pending run of bytes copied unchanged
    for (size_t i = 0; i < s.size();) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
        ++i;
        continue;
      }
      if (c >= 0x80) {
        size_t n = utf8_length(s, i);
        if (n == 0) {
          m_out.resize(start);
          m_out.append(nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
          return;
        }
        i += n;
        continue;
      }
      m_out.append(s.substr(run, i - run));
      switch (c) {
        case '"': m_out.append("\\\""); break;
        case '\\': m_out.append("\\\\"); break;
        case '\b': m_out.append("\\b"); break;
        case '\f': m_out.append("\\f"); break;
        case '\n': m_out.append("\\n"); break;
        case '\r': m_out.append("\\r"); break;
        case '\t': m_out.append("\\t"); break;
        default: {
          constexpr char k_hex[] = "0123456789abcdef";
          const char esc[] = {'\\', 'u', '0', '0', k_hex[c >> 4], k_hex[c & 0xF]};
          m_out.append(esc, sizeof esc);
        }
      }
      run = ++i;
    }
    m_out.append(s.substr(run));
    m_out.push_back('"');
  }

private:
  std::string& m_out;
  bool m_first = true;
};

}  // namespace

std::string serialize_event(const AuditEvent& ev) {
  std::string out;
  out.reserve(512 + ev.content.size() + ev.reason.size() + 160 * ev.findings.size());
  Writer w(out);
  // Keys in byte order, as nlohmann's std::map-backed object dumps them.
  w.opt_str("agent", ev.agent);
  w.opt_str("agent_session_id", ev.agent_session_id);
  w.opt_num("bytes_in", ev.bytes_in);
  w.opt_num("bytes_out", ev.bytes_out);
  w.opt_str("content", ev.content);
  if (ev.content_truncated) w.boolean("content_truncated", true);
  if (ev.cost_nano_usd) w.num("cost_nano_usd", *ev.cost_nano_usd);
  if (!ev.credential_stores.provider_key.empty() || !ev.credential_stores.device_key.empty()) {
    w.key("credential_stores");
    Writer c(out);
    c.opt_str("device_key", ev.credential_stores.device_key);
    c.opt_str("provider_key", ev.credential_stores.provider_key);
    c.close();
  }
  if (ev.decision != Decision::none) w.str("decision", to_string(ev.decision));
  w.opt_str("device_id", ev.device_id);
  w.opt_str("endpoint", ev.endpoint);
  if (!ev.findings.empty()) {
    w.key("findings");
    out.push_back('[');
    for (size_t i = 0; i < ev.findings.size(); ++i) {
      if (i) out.push_back(',');
      Writer f(out);
      f.str("fingerprint", ev.findings[i].fingerprint);
      f.str("location", ev.findings[i].location);
      f.str("rule_id", ev.findings[i].rule_id);
      f.close();
    }
    out.push_back(']');
  }
  w.opt_str("gw_version", ev.gw_version);
  w.opt_num("http_status", ev.http_status);
  w.str("id", ev.id);
  w.str("kind", to_string(ev.kind));
  if (ev.latency) {
    w.key("latency_us");
    Writer l(out);
    l.num("total", ev.latency->total_us);
    l.num("ttfb", ev.latency->ttfb_us);
    l.num("upstream", ev.latency->upstream_us);
    l.close();
  }
  w.opt_str("model", ev.model);
  w.opt_str("policy_version", ev.policy_version);
  w.str("prev", ev.prev);
  w.opt_str("provider", ev.provider);
  w.opt_str("reason", ev.reason);
  w.str("record", "event");
  w.opt_str("request_id", ev.request_id);
  w.opt_num("request_started_ms", ev.request_started_ms);
  w.unum("seq", ev.seq);
  if (ev.streamed) w.boolean("streamed", true);
  w.opt_str("team", ev.team);
  w.num("time_ms", ev.time_ms);
  if (ev.usage) {
    w.key("usage");
    Writer u(out);
    u.num("cache_read", ev.usage->cache_read);
    u.num("cache_write", ev.usage->cache_write);
    u.num("input", ev.usage->input);
    u.num("output", ev.usage->output);
    u.num("reasoning", ev.usage->reasoning);
    u.close();
  }
  w.opt_str("user", ev.user);
  w.num("v", k_schema_version);
  w.opt_str("virtual_key_id", ev.virtual_key_id);
  w.close();
  return out;
}

// The reference form, kept for the property test and for anyone comparing against the DOM.
std::string serialize_event_dom(const AuditEvent& ev) {
  return event_to_json(ev).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace gw::audit
