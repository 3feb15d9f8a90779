// JSON-aware request body scanning: blocks, the per-block walk, cache reuse, redaction.
#include "core/scan/body_scan.hpp"

#include <algorithm>
#include <cstring>

#include "core/json/json_split.hpp"
#include "core/json/json_walk.hpp"

namespace gw::scan {

std::string_view body_kind_name(BodyKind k) {
  switch (k) {
    case BodyKind::text: return "text";
    case BodyKind::json: return "json";
    case BodyKind::anthropic: return "anthropic";
    case BodyKind::openai: return "openai";
    case BodyKind::gemini: return "gemini";
  }
  return "?";
}

bool parse_body_kind(std::string_view name, BodyKind& out) {
  for (BodyKind k : {BodyKind::text, BodyKind::json, BodyKind::anthropic, BodyKind::openai, BodyKind::gemini})
    if (body_kind_name(k) == name) return out = k, true;
  return false;
}

BodyKind detect_body_kind(std::string_view body) {
  auto top = json::top_level_members(body);
  if (!top) return BodyKind::text;
  if (top->find("contents")) return BodyKind::gemini;
  if (top->find("input") || top->find("instructions")) return BodyKind::openai;
  if (const json::Member* m = top->find("messages")) {
    if (top->find("system") || top->find("anthropic_version") || top->find("thinking") ||
        top->find("stop_sequences"))
      return BodyKind::anthropic;
    if (m->raw.find("\"tool_use\"") != std::string_view::npos ||
        m->raw.find("\"tool_result\"") != std::string_view::npos)
      return BodyKind::anthropic;
    if (auto tools = top->raw("tools"); tools && tools->find("\"input_schema\"") != std::string_view::npos)
      return BodyKind::anthropic;
    return BodyKind::openai;
  }
  return BodyKind::json;
}

namespace {

// Shorter strings cannot hold any credential or PII value the rules look for ("8.8.8.8" is 7).
constexpr size_t k_min_scanned = 6;

// Keys whose string values are opaque provider tokens, never user text.
bool opaque_key(std::string_view key) {
  return key == "signature" || key == "thoughtSignature" || key == "thought_signature" ||
         key == "encrypted_content";
}

// Base64 (possibly with JSON-escaped '/' or line breaks), long enough to be a binary payload.
bool looks_base64(std::string_view raw) {
  if (raw.size() < 64) return false;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
        c == '/' || c == '=' || c == '-' || c == '_')
      continue;
    if (c == '\\' && i + 1 < raw.size() && (raw[i + 1] == '/' || raw[i + 1] == 'n' || raw[i + 1] == 'r')) {
      ++i;
      continue;
    }
    return false;
  }
  return true;
}

bool is_data_url(std::string_view raw) {
  return raw.starts_with("data:") && raw.substr(0, 160).find(";base64,") != std::string_view::npos;
}

std::string pointer_escape(std::string_view key) {
  std::string k = key.find('\\') == std::string_view::npos ? std::string(key) : json::decode_string(key);
  std::string out;
  for (char c : k) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

// Scans the strings of one block (a standalone JSON value); findings relative to the block.
class BlockVisitor : public json::Visitor {
public:
  BlockVisitor(const Scanner& s, std::string_view block_key, std::vector<Finding>& out, size_t& bytes)
      : m_scanner(s), m_block_key(block_key), m_out(out), m_bytes(bytes) {}

  void on_string(const json::Path& path, const json::StringToken& t) override {
    std::string_view key = m_block_key;
    if (!path.empty()) key = path.back().is_index ? std::string_view() : path.back().key;
    if (t.raw.size() < k_min_scanned || opaque_key(key) || is_data_url(t.raw)) return;
    if (key == "data" && looks_base64(t.raw)) return;
    std::vector<Finding> fs;
    if (!t.has_escapes) {
      m_bytes += t.raw.size();
      fs = m_scanner.scan(t.raw);
      for (auto& f : fs) {
        f.offset += t.offset;
        f.match_offset += t.offset;
      }
    } else {
      json::DecodedString d(t.raw);
      m_bytes += d.text().size();
      fs = m_scanner.scan(d.text());
      for (auto& f : fs) {
        auto [b, e] = d.raw_span(f.offset, f.offset + f.length);
        auto [mb, me] = d.raw_span(f.match_offset, f.match_offset + f.match_length);
        f.offset = t.offset + b;
        f.length = e - b;
        f.match_offset = t.offset + mb;
        f.match_length = me - mb;
      }
    }
    if (fs.empty()) return;
    std::string ptr = json::to_pointer(path), disp = json::to_display(path);
    for (auto& f : fs) {
      f.json_pointer = ptr;
      f.json_path = disp;
      m_out.push_back(std::move(f));
    }
  }

private:
  const Scanner& m_scanner;
  std::string_view m_block_key;
  std::vector<Finding>& m_out;
  size_t& m_bytes;
};

struct BodyScanner {
  const Scanner& scanner;
  ScanCache* cache;
  BodyScan result;

  // A block at `depth` in the document (1: a top-level member, 2: an element of one). Walking it
  // validates it (with the depth limit that applies where it sits); a block found in the cache
  // was valid when it was remembered (same bytes), so it is neither walked nor validated again.
  Status block(std::string_view raw, size_t abs_offset, std::string_view block_key, size_t depth,
               const std::string& prefix_ptr, const std::string& prefix_disp) {
    ++result.stats.blocks;
    uint64_t salt = scanner.generation() ^ (block_hash(block_key, 0x5ca11ab1e + depth) << 1);
    uint64_t key = cache ? block_hash(raw, salt) : 0;
    std::vector<Finding> rel;
    std::optional<std::vector<Finding>> hit;
    if (cache) hit = cache->get(key);
    if (hit) {
      ++result.stats.blocks_cached;
      rel = std::move(*hit);
    } else {
      BlockVisitor v(scanner, block_key, rel, result.stats.bytes_scanned);
      GW_CHECK(json::walk(raw, v, json::k_default_max_depth - depth));
      if (cache) cache->put(key, rel);
    }
    for (auto& f : rel) {
      f.offset += abs_offset;
      f.match_offset += abs_offset;
      f.json_pointer = prefix_ptr + f.json_pointer;
      if (f.json_path.empty()) f.json_path = prefix_disp;
      else if (f.json_path[0] == '[') f.json_path = prefix_disp + f.json_path;
      else f.json_path = prefix_disp + "." + f.json_path;
      result.findings.push_back(std::move(f));
    }
    return {};
  }
};

bool split_key(std::string_view k) {
  return k == "messages" || k == "input" || k == "contents" || k == "tools" || k == "system";
}

// Scans the blocks of the members of a body. validated: the body was validated as a whole;
// otherwise members come from split_object() and every value is validated here (containers and
// strings by their walk, scalars on their own). Fails on the first invalid value.
Status scan_members(BodyScanner& bs, const std::vector<json::RawMember>& members, bool validated) {
  std::vector<json::Element> elems;
  auto scalar_ok = [&](json::Type t, std::string_view raw) {
    return validated || (t != json::Type::number && t != json::Type::boolean && t != json::Type::null) ||
           json::validate(raw).has_value();
  };
  for (const auto& m : members) {
    if (!scalar_ok(m.type, m.raw)) return gw::fail(gw::Errc::invalid_argument, "invalid JSON value");
    if (m.type == json::Type::number || m.type == json::Type::boolean || m.type == json::Type::null) continue;
    const std::string key = m.key_escapes ? json::decode_string(m.key) : std::string(m.key);
    std::string ptr = "/" + pointer_escape(key);
    const std::string& disp = key;
    if (m.type == json::Type::array && split_key(key)) {
      if (!json::split_array(m.raw, elems)) return gw::fail(gw::Errc::invalid_argument, "invalid JSON array");
      for (size_t i = 0; i < elems.size(); ++i) {
        const auto& e = elems[i];
        if (!scalar_ok(e.type, e.raw)) return gw::fail(gw::Errc::invalid_argument, "invalid JSON value");
        if (e.type != json::Type::object && e.type != json::Type::array && e.type != json::Type::string) continue;
        std::string idx = std::to_string(i);
        GW_CHECK(bs.block(e.raw, m.offset + e.offset, key, 2, ptr + "/" + idx, disp + "[" + idx + "]"));
      }
    } else {
      GW_CHECK(bs.block(m.raw, m.offset, key, 1, ptr, disp));
    }
  }
  return {};
}

}  // namespace

Result<BodyScan> scan_body(const Scanner& scanner, std::string_view body, BodyKind kind, ScanCache* cache) {
  BodyScanner bs{scanner, cache, {}};
  if (kind == BodyKind::text) {
    bs.result.findings = scanner.scan(body);
    bs.result.stats.blocks = 1;
    bs.result.stats.bytes_scanned = body.size();
    return std::move(bs.result);
  }
  // One pass: the structure is split without validation and each block is validated by the walk
  // that scans it (or known valid from the cache). Any failure falls back to validating the whole
  // body first, which yields the precise error (or, if the body is valid after all, the scan).
  std::vector<json::RawMember> members;
  if (!json::split_object(body, members) || !scan_members(bs, members, false)) {
    bs.result = {};
    GW_TRY(top, json::top_level_members(body));
    members.clear();
    for (const auto& m : top.members)
      members.push_back(json::RawMember{m.key, false, m.type, m.raw, m.offset});
    GW_CHECK(scan_members(bs, members, true));
  }
  std::sort(bs.result.findings.begin(), bs.result.findings.end(), [](const Finding& a, const Finding& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.rule_id < b.rule_id;
  });
  return std::move(bs.result);
}

std::string placeholder(const Finding& f) {
  return "[REDACTED:" + f.rule_id + ":" + f.fingerprint.substr(0, 8) + "]";
}

std::string redact(std::string_view body, const std::vector<Finding>& findings) {
  std::vector<const Finding*> order;
  for (const auto& f : findings)
    if (f.length > 0 && f.offset + f.length <= body.size()) order.push_back(&f);
  std::sort(order.begin(), order.end(), [](const Finding* a, const Finding* b) {
    return a->offset != b->offset ? a->offset < b->offset : a->length > b->length;
  });
  std::string out;
  out.reserve(body.size());
  size_t pos = 0;
  for (size_t i = 0; i < order.size();) {
    const Finding* f = order[i];
    size_t begin = f->offset, end = f->offset + f->length;
    size_t j = i + 1;
    while (j < order.size() && order[j]->offset < end) {  // merge overlapping spans
      end = std::max(end, order[j]->offset + order[j]->length);
      ++j;
    }
    if (begin < pos) begin = pos;  // cannot happen after merging; keeps the copy monotonic
    out.append(body.substr(pos, begin - pos));
    out += json::encode_string_contents(placeholder(*f));
    pos = end;
    i = j;
  }
  out.append(body.substr(pos));
  return out;
}

}  // namespace gw::scan
