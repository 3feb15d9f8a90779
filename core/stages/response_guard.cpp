#include "core/stages/response_guard.hpp"

#include <deque>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/scan/body_scan.hpp"
#include "core/scan/stream_scanner.hpp"
#include "core/stages/scan_stage.hpp"

namespace gw::stages {
namespace {

using ojson = nlohmann::ordered_json;  // keeps member order when a redacted event is re-serialised
using Action = config::Guardrails::ResponseAction;

constexpr size_t k_max_held_json = 16 * 1024 * 1024;

// The text an SSE event adds to an output block, or the blocks it closes.
struct EventText {
  std::string block;          // non-empty: the event carries text of this block
  ojson::json_pointer where;  // the text field inside the event's data
  std::string text;
  std::string closes;         // a block that ends with this event
  bool closes_all = false;
};

EventText classify(providers::ApiKind api, const ojson& d) {
  EventText e;
  auto str = [](const ojson& j, const char* k) -> const std::string* {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  const std::string* type = str(d, "type");
  if (api == providers::ApiKind::anthropic && type) {
    std::string idx = d.contains("index") ? d["index"].dump() : "0";
    if (*type == "content_block_delta" && d.contains("delta") && d["delta"].is_object()) {
      const std::string* t = str(d["delta"], "text");
      if (t && str(d["delta"], "type") && *str(d["delta"], "type") == "text_delta") {
        e.block = "content[" + idx + "]";
        e.where = ojson::json_pointer("/delta/text");
        e.text = *t;
      }
    } else if (*type == "content_block_stop") {
      e.closes = "content[" + idx + "]";
    } else if (*type == "message_stop") {
      e.closes_all = true;
    }
    return e;
  }
  if (api == providers::ApiKind::openai && type) {  // Responses API
    std::string block = (str(d, "item_id") ? *str(d, "item_id") : "") + "/" +
                        (d.contains("content_index") ? d["content_index"].dump() : "0");
    if (*type == "response.output_text.delta" && str(d, "delta")) {
      e.block = "output[" + block + "]";
      e.where = ojson::json_pointer("/delta");
      e.text = *str(d, "delta");
    } else if (*type == "response.output_text.done") {
      e.closes = "output[" + block + "]";
    } else if (*type == "response.completed" || *type == "response.failed" || *type == "response.incomplete") {
      e.closes_all = true;
    }
    return e;
  }
  if (api == providers::ApiKind::openai && d.contains("choices") && d["choices"].is_array() &&
      !d["choices"].empty() && d["choices"][0].is_object()) {  // Chat Completions
    const ojson& c = d["choices"][0];
    std::string block = "choices[" + (c.contains("index") ? c["index"].dump() : "0") + "]";
    if (c.contains("delta") && c["delta"].is_object()) {
      if (const std::string* t = str(c["delta"], "content")) {
        e.block = block;
        e.where = ojson::json_pointer("/choices/0/delta/content");
        e.text = *t;
      }
    }
    if (c.contains("finish_reason") && !c["finish_reason"].is_null()) e.closes = block;
    return e;
  }
  if (api == providers::ApiKind::gemini && d.contains("candidates") && d["candidates"].is_array() &&
      !d["candidates"].empty() && d["candidates"][0].is_object()) {
    const ojson& c = d["candidates"][0];
    const ojson* parts = nullptr;
    if (c.contains("content") && c["content"].is_object() && c["content"].contains("parts") &&
        c["content"]["parts"].is_array())
      parts = &c["content"]["parts"];
    for (size_t i = 0; parts && i < parts->size(); ++i) {
      const ojson& p = (*parts)[i];
      if (p.is_object() && str(p, "text")) {
        e.block = "candidates[0]";
        e.where = ojson::json_pointer("/candidates/0/content/parts/" + std::to_string(i) + "/text");
        e.text = *str(p, "text");
        break;  // one text part per chunk in practice; further parts are scanned as JSON
      }
    }
    if (c.contains("finishReason")) e.closes = "candidates[0]";
  }
  return e;
}

// The data of an SSE event (data lines joined by '\n').
std::string event_data(std::string_view raw) {
  std::string data;
  bool any = false;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t nl = raw.find('\n', pos);
    std::string_view line = raw.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? raw.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.starts_with("data:")) continue;
    line.remove_prefix(5);
    if (line.starts_with(' ')) line.remove_prefix(1);
    if (any) data += '\n';
    data.append(line);
    any = true;
  }
  return data;
}

// The event with its data lines replaced by one line holding `data`; other lines kept as they were.
std::string with_data(std::string_view raw, const std::string& data) {
  std::string out;
  bool written = false;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t nl = raw.find('\n', pos);
    size_t end = nl == std::string_view::npos ? raw.size() : nl + 1;
    std::string_view line = raw.substr(pos, end - pos);
    pos = end;
    if (!line.starts_with("data:")) {
      out.append(line);
      continue;
    }
    if (written) continue;
    written = true;
    bool crlf = line.ends_with("\r\n");
    out += "data: " + data + (crlf ? "\r\n" : "\n");
  }
  return out;
}

struct Span {
  size_t begin, end;
  std::string placeholder;
};

struct Block {
  std::unique_ptr<scan::StreamScanner> scanner;
  std::vector<Span> spans;
  bool finished = false;
  size_t safe() const { return finished ? std::numeric_limits<size_t>::max() : scanner->safe_offset(); }
};

struct Held {
  std::string raw;
  std::string block;  // empty: sent as raw once it reaches the front
  size_t begin = 0, len = 0;
  ojson data;
  ojson::json_pointer where;
};

class ResponseGuard final : public pipeline::ResponseFilter {
public:
  ResponseGuard(const config::Guardrails& g, providers::ApiKind api, GuardrailState* state)
      : m_scanner(g.scanner), m_actions(g.actions), m_action(g.response_action), m_window(g.response_window),
        m_api(api), m_state(state) {}

  void begin(pipeline::Exchange&, int status, bool sse) override {
    m_active = status >= 200 && status < 300;
    m_sse = sse;
    if (m_active && m_state) ++m_state->counters().responses_scanned;
  }
  bool rewrites() const override { return m_active && m_action == Action::redact; }

  void write(pipeline::Exchange& ex, std::string_view in, std::string& out) override {
    if (!m_active) return;
    if (!m_sse) {
      if (m_overflow) return void(out.append(in));
      m_json.append(in);
      if (m_json.size() > k_max_held_json) {  // too large to hold: sent unscanned, as it comes
        m_overflow = true;
        if (rewrites()) out += m_json;
        m_json.clear();
      }
      return;
    }
    m_buf.append(in);
    for (;;) {
      size_t a = m_buf.find("\n\n"), b = m_buf.find("\r\n\r\n");
      size_t end = std::min(a == std::string::npos ? a : a + 2, b == std::string::npos ? b : b + 4);
      if (end == std::string::npos) break;
      on_event(ex, m_buf.substr(0, end));
      m_buf.erase(0, end);
    }
    release(out);
  }

  void finish(pipeline::Exchange& ex, std::string& out) override {
    if (!m_active) return;
    if (!m_sse) {
      if (m_overflow || m_json.empty()) return;
      auto scanned = scan::scan_body(*m_scanner, m_json, scan::BodyKind::json);
      std::vector<scan::Finding> keep;
      if (scanned) {
        for (auto& f : scanned->findings)
          if (record(ex, f, f.json_path)) keep.push_back(f);
      }
      if (rewrites()) {
        if (!keep.empty() && m_state) ++m_state->counters().responses_redacted;
        out += keep.empty() ? m_json : scan::redact(m_json, keep);
      }
      return;
    }
    if (!m_buf.empty()) on_event(ex, m_buf);  // a trailing event without its blank line
    m_buf.clear();
    for (auto& [name, b] : m_blocks) close(ex, name, b);
    release(out);
  }

private:
  // Records a finding once per response; false when it is allowlisted.
  bool record(pipeline::Exchange& ex, const scan::Finding& f, const std::string& where) {
    if (fingerprint_allowed(m_actions, f.fingerprint)) return false;
    if (m_seen.emplace(f.rule_id, f.fingerprint).second) {
      ex.findings.push_back({f.rule_id, "response:" + where, f.fingerprint,
                             m_action == Action::redact ? "redact" : "alert"});
      if (m_state) ++m_state->counters().response_findings;
    }
    return true;
  }

  Block& block(const std::string& name) {
    Block& b = m_blocks[name];
    if (!b.scanner) b.scanner = std::make_unique<scan::StreamScanner>(*m_scanner, m_window, std::min<size_t>(256, m_window / 4));
    return b;
  }

  void add_spans(pipeline::Exchange& ex, const std::string& name, Block& b, std::vector<scan::Finding> fs) {
    for (auto& f : fs)
      if (record(ex, f, "text." + name)) b.spans.push_back({f.offset, f.offset + f.length, scan::placeholder(f)});
  }

  void close(pipeline::Exchange& ex, const std::string& name, Block& b) {
    if (b.finished || !b.scanner) return;
    add_spans(ex, name, b, b.scanner->finish());
    b.finished = true;
  }

  void on_event(pipeline::Exchange& ex, std::string raw) {
    std::string data = event_data(raw);
    ojson d = data.empty() ? ojson() : ojson::parse(data, nullptr, false);
    EventText t;
    if (d.is_object()) t = classify(m_api, d);
    Held h;
    if (!t.block.empty()) {
      Block& b = block(t.block);
      h.begin = b.scanner->total();
      h.len = t.text.size();
      add_spans(ex, t.block, b, b.scanner->feed(t.text));
      h.block = t.block;
      h.data = std::move(d);
      h.where = t.where;
    } else if (d.is_object() && data.size() >= 6) {
      // Events that carry whole texts or arguments (e.g. Responses' *.done): scanned on their own.
      if (auto scanned = scan::scan_body(*m_scanner, data, scan::BodyKind::json)) {
        std::vector<scan::Finding> keep;
        for (auto& f : scanned->findings)
          if (record(ex, f, f.json_path)) keep.push_back(f);
        if (!keep.empty() && rewrites()) {
          raw = with_data(raw, scan::redact(data, keep));
          m_redacted = true;
        }
      }
    }
    if (!t.closes.empty()) {
      if (auto it = m_blocks.find(t.closes); it != m_blocks.end()) close(ex, it->first, it->second);
    }
    if (t.closes_all)
      for (auto& [name, b] : m_blocks) close(ex, name, b);
    if (!rewrites()) return;  // alert: the relay sends the bytes itself
    h.raw = std::move(raw);
    m_held.push_back(std::move(h));
  }

  // Sends, in order, every held event no secret can still start in.
  void release(std::string& out) {
    if (!rewrites()) return;
    while (!m_held.empty()) {
      Held& h = m_held.front();
      if (!h.block.empty()) {
        Block& b = m_blocks[h.block];
        if (h.begin + h.len > b.safe()) break;
        out += render(h, b);
      } else {
        out += h.raw;
      }
      m_held.pop_front();
    }
    if (m_redacted && m_state && !m_counted) {
      ++m_state->counters().responses_redacted;
      m_counted = true;
    }
  }

  std::string render(Held& h, const Block& b) {
    size_t end = h.begin + h.len;
    std::string text = h.data[h.where].get<std::string>(), out;
    size_t pos = 0;  // in text
    bool changed = false;
    for (const Span& s : b.spans) {
      if (s.end <= h.begin || s.begin >= end) continue;
      size_t lb = std::max(s.begin, h.begin) - h.begin, le = std::min(s.end, end) - h.begin;
      if (lb < pos) lb = pos;
      out.append(text, pos, lb - pos);
      if (s.begin >= h.begin) out += s.placeholder;  // the rest of a split secret is dropped
      pos = std::max(pos, le);
      changed = true;
    }
    if (!changed) return std::move(h.raw);
    out.append(text, pos, std::string::npos);
    h.data[h.where] = out;
    m_redacted = true;
    return with_data(h.raw, h.data.dump());
  }

  std::shared_ptr<const scan::Scanner> m_scanner;
  const scan::ActionPolicy& m_actions;  // owned by the policy, which the exchange keeps alive
  Action m_action;
  size_t m_window;
  providers::ApiKind m_api;
  GuardrailState* m_state;
  bool m_active = false, m_sse = false, m_overflow = false, m_redacted = false, m_counted = false;
  std::string m_buf, m_json;
  std::map<std::string, Block> m_blocks;
  std::deque<Held> m_held;
  std::set<std::pair<std::string, std::string>> m_seen;
};

}  // namespace

std::unique_ptr<pipeline::ResponseFilter> make_response_guard(const config::Guardrails& guardrails,
                                                              providers::ApiKind api, GuardrailState* state) {
  if (!guardrails.scanner || guardrails.response_action == Action::off) return nullptr;
  return std::make_unique<ResponseGuard>(guardrails, api, state);
}

}  // namespace gw::stages
