#include "core/stages/response_guard.hpp"

#include <deque>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/scan/body_scan.hpp"
#include "core/scan/stream_scanner.hpp"
#include "core/stages/response_events.hpp"
#include "core/stages/scan_stage.hpp"

namespace gw::stages {
namespace {

using response::EventInfo;
using response::ojson;
using response::TextKind;
using Action = config::Guardrails::ResponseAction;

constexpr size_t k_max_held_json = 16 * 1024 * 1024;

struct Span {
  size_t begin, end;
  std::string placeholder;
};

// One output block of the response: its text so far (scanned in a window, or accumulated whole
// for tool arguments) and what to replace in it.
struct Block {
  TextKind kind = TextKind::text;
  bool redactable = true;                         // false: findings are only reported
  std::unique_ptr<scan::StreamScanner> scanner;   // text, thinking
  std::string args;                               // tool_args: the arguments so far
  bool args_overflow = false;                     // tool_args too large to hold: passed unscanned
  size_t total = 0;                               // bytes of text seen
  std::vector<Span> spans;                        // text, thinking
  std::optional<std::string> rewritten;           // tool_args: the redacted arguments
  bool rewritten_sent = false;                    // ... already carried by an earlier event
  bool finished = false;
  // Stream offset before which no finding can start any more (what may be released).
  size_t safe() const {
    if (finished || !redactable) return std::numeric_limits<size_t>::max();
    if (kind == TextKind::tool_args) return args_overflow ? std::numeric_limits<size_t>::max() : 0;
    return scanner->safe_offset();
  }
};

struct HeldPiece {
  std::string block;
  ojson::json_pointer where;
  size_t begin = 0, len = 0;
};

struct Held {
  std::string raw;
  std::vector<HeldPiece> pieces;  // empty: sent as raw once it reaches the front
  ojson data;
  bool changed = false;           // data was rewritten (a redacted subtree)
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
        for (auto& f : scanned->findings) {
          bool redactable = !signed_text(f.json_pointer);
          if (record(ex, f, f.json_path, redactable) && redactable) keep.push_back(f);
        }
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
  bool record(pipeline::Exchange& ex, const scan::Finding& f, const std::string& where, bool redactable) {
    if (fingerprint_allowed(m_actions, f.fingerprint)) return false;
    if (m_seen.emplace(f.rule_id, f.fingerprint).second) {
      ex.findings.push_back({f.rule_id, "response:" + where, f.fingerprint,
                             m_action == Action::redact && redactable ? "redact" : "alert"});
      if (m_state) ++m_state->counters().response_findings;
    }
    return true;
  }

  // Anthropic signs thinking text (the block's signature): a rewritten thinking block sent back
  // in the next turn would be refused, so it is only reported.
  bool signed_text(std::string_view pointer) const {
    return m_api == providers::ApiKind::anthropic && pointer.starts_with("/content/") && pointer.ends_with("/thinking");
  }

  Block& block(const std::string& name, const response::TextPiece& p) {
    auto [it, fresh] = m_blocks.try_emplace(name);
    Block& b = it->second;
    if (fresh) {
      b.kind = p.kind;
      b.redactable = !p.signed_text;
      if (p.kind != TextKind::tool_args)
        b.scanner = std::make_unique<scan::StreamScanner>(*m_scanner, m_window, std::min<size_t>(256, m_window / 4));
    }
    return b;
  }

  static std::string label(const Block& b, const std::string& name) {
    return (b.kind == TextKind::text ? "text." : b.kind == TextKind::thinking ? "thinking." : "tool_args.") + name;
  }

  void add_spans(pipeline::Exchange& ex, const std::string& name, Block& b, std::vector<scan::Finding> fs) {
    for (auto& f : fs)
      if (record(ex, f, label(b, name), b.redactable) && b.redactable)
        b.spans.push_back({f.offset, f.offset + f.length, scan::placeholder(f)});
  }

  void feed(pipeline::Exchange& ex, const std::string& name, Block& b, const std::string& text) {
    b.total += text.size();
    if (b.kind != TextKind::tool_args) return add_spans(ex, name, b, b.scanner->feed(text));
    if (b.args_overflow) return;
    b.args += text;
    if (b.args.size() > k_max_held_json) {  // too large to hold: released unscanned
      b.args_overflow = true;
      b.args.clear();
    }
  }

  void close(pipeline::Exchange& ex, const std::string& name, Block& b) {
    if (b.finished) return;
    b.finished = true;
    if (b.kind != TextKind::tool_args) return add_spans(ex, name, b, b.scanner->finish());
    if (b.args_overflow || b.args.empty()) return;
    // Whole arguments: JSON decoded like a request body (secrets after escapes are found), else
    // free text (custom tool inputs).
    auto scanned = scan::scan_body(*m_scanner, b.args, scan::BodyKind::json);
    if (!scanned) scanned = scan::scan_body(*m_scanner, b.args, scan::BodyKind::text);
    if (!scanned) return;
    std::vector<scan::Finding> keep;
    for (auto& f : scanned->findings)
      if (record(ex, f, label(b, name) + (f.json_path.empty() ? "" : "." + f.json_path), true)) keep.push_back(f);
    if (!keep.empty() && rewrites()) b.rewritten = scan::redact(b.args, keep);
    b.args.clear();
  }

  void close_matching(pipeline::Exchange& ex, const std::string& prefix) {
    for (auto it = m_blocks.lower_bound(prefix); it != m_blocks.end() && it->first.starts_with(prefix); ++it)
      if (it->first.size() == prefix.size() || it->first[prefix.size()] == '/') close(ex, it->first, it->second);
  }

  // Scans a JSON value of the event on its own; true when it was redacted in place.
  bool scan_subtree(pipeline::Exchange& ex, ojson& node, const std::string& where) {
    std::string s = node.dump();
    auto scanned = scan::scan_body(*m_scanner, s, scan::BodyKind::json);
    if (!scanned) return false;
    std::vector<scan::Finding> keep;
    for (auto& f : scanned->findings)
      if (record(ex, f, where + (f.json_path.empty() ? "" : "." + f.json_path), true)) keep.push_back(f);
    if (keep.empty() || !rewrites()) return false;
    ojson redacted = ojson::parse(scan::redact(s, keep), nullptr, false);
    if (redacted.is_discarded()) return false;
    node = std::move(redacted);
    return true;
  }

  void on_event(pipeline::Exchange& ex, std::string raw) {
    std::string data = response::event_data(raw);
    ojson d = data.empty() ? ojson() : ojson::parse(data, nullptr, false);
    EventInfo info;
    if (d.is_object()) info = response::classify(m_api, d);
    Held h;
    for (const auto& p : info.pieces) {
      const ojson& v = d[p.where];
      if (!v.is_string()) continue;
      Block& b = block(p.block, p);
      HeldPiece hp{p.block, p.where, b.total, v.get_ref<const std::string&>().size()};
      feed(ex, p.block, b, v.get_ref<const std::string&>());
      h.pieces.push_back(std::move(hp));
    }
    for (const auto& name : info.closes) close_matching(ex, name);
    if (info.closes_all)
      for (auto& [name, b] : m_blocks) close(ex, name, b);
    for (const auto& where : info.subtrees)
      h.changed |= scan_subtree(ex, d[where], response::location_of(where));
    if (info.scan_whole() && d.is_object() && data.size() >= 6) {
      // Events that carry whole texts or arguments (e.g. Responses' *.done): scanned on their own.
      if (auto scanned = scan::scan_body(*m_scanner, data, scan::BodyKind::json)) {
        std::vector<scan::Finding> keep;
        for (auto& f : scanned->findings)
          if (record(ex, f, f.json_path, true)) keep.push_back(f);
        if (!keep.empty() && rewrites()) {
          raw = response::with_data(raw, scan::redact(data, keep));
          m_redacted = true;
        }
      }
    }
    if (!rewrites()) return;  // alert: the relay sends the bytes itself
    h.raw = std::move(raw);
    if (!h.pieces.empty() || h.changed) h.data = std::move(d);
    m_held.push_back(std::move(h));
  }

  // Sends, in order, every held event no secret can still start in.
  void release(std::string& out) {
    if (!rewrites()) return;
    while (!m_held.empty()) {
      Held& h = m_held.front();
      bool ready = true;
      for (const auto& p : h.pieces)
        if (p.begin + p.len > m_blocks[p.block].safe()) ready = false;
      if (!ready) break;
      out += render(h);
      m_held.pop_front();
    }
    if (m_redacted && m_state && !m_counted) {
      ++m_state->counters().responses_redacted;
      m_counted = true;
    }
  }

  // The piece's text with the block's secrets replaced; false when nothing changed.
  bool redact_piece(const HeldPiece& p, Block& b, std::string& text) {
    if (b.rewritten) {  // tool arguments: the first event carries them all, redacted
      text = b.rewritten_sent ? "" : *b.rewritten;
      b.rewritten_sent = true;
      return true;
    }
    size_t end = p.begin + p.len, pos = 0;
    std::string out;
    bool changed = false;
    for (const Span& s : b.spans) {
      if (s.end <= p.begin || s.begin >= end) continue;
      size_t lb = std::max(s.begin, p.begin) - p.begin, le = std::min(s.end, end) - p.begin;
      if (lb < pos) lb = pos;
      out.append(text, pos, lb - pos);
      if (s.begin >= p.begin) out += s.placeholder;  // the rest of a split secret is dropped
      pos = std::max(pos, le);
      changed = true;
    }
    if (!changed) return false;
    out.append(text, pos, std::string::npos);
    text = std::move(out);
    return true;
  }

  std::string render(Held& h) {
    bool changed = h.changed;
    for (const auto& p : h.pieces) {
      std::string text = h.data[p.where].get<std::string>();
      if (redact_piece(p, m_blocks[p.block], text)) {
        h.data[p.where] = std::move(text);
        changed = true;
      }
    }
    if (!changed) return std::move(h.raw);
    m_redacted = true;
    return response::with_data(h.raw, h.data.dump());
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
