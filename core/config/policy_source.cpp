#include "core/config/policy_source.hpp"

#include <algorithm>
#include <sstream>

#include "core/config/toml_doc.hpp"
#include "core/config/toml_include.hpp"

namespace gw::config::detail {

namespace {

bool is_bare(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string describe_loc(const std::string& file, const toml::source_region& r) {
  return file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

// Converts one TOML node to JSON, recording the position of every value under `path`.
nlohmann::json convert(const toml::node& node, const std::string& path, SourceDoc& doc) {
  doc.locs[path] = SourceLoc{static_cast<int>(node.source().begin.line),
                             static_cast<int>(node.source().begin.column)};
  if (auto* t = node.as_table()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto&& [k, v] : *t) {
      std::string child = path_key(path, k.str());
      out[std::string(k.str())] = convert(v, child, doc);
      // A table opened by [header] reports its header; keep the key's own position if better.
      if (doc.locs[child].line == 0)
        doc.locs[child] = SourceLoc{static_cast<int>(k.source().begin.line),
                                    static_cast<int>(k.source().begin.column)};
    }
    return out;
  }
  if (auto* a = node.as_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < a->size(); ++i) out.push_back(convert((*a)[i], path_index(path, i), doc));
    return out;
  }
  if (auto* s = node.as_string()) return s->get();
  if (auto* i = node.as_integer()) return i->get();
  if (auto* f = node.as_floating_point()) return f->get();
  if (auto* b = node.as_boolean()) return b->get();
  std::ostringstream os;
  if (auto* dt = node.as_date_time()) os << dt->get();
  else if (auto* d = node.as_date()) os << d->get();
  else if (auto* tm = node.as_time()) os << tm->get();
  return os.str();
}

}  // namespace

std::string path_key(const std::string& base, std::string_view key) {
  std::string k = is_bare(key) ? std::string(key) : nlohmann::json(std::string(key)).dump();
  return base.empty() ? k : base + "." + k;
}

std::string path_index(const std::string& base, size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

gw::Result<SourceDoc> toml_to_doc(std::string_view text, std::string_view file) {
  SourceDoc doc;
  doc.file = std::string(file);
  toml::parse_result parsed = toml::parse(text, std::string_view(file));
  if (!parsed) {
    const auto& err = parsed.error();
    return gw::fail(gw::Errc::config,
                    describe_loc(doc.file, err.source()) + ": " + std::string(err.description()));
  }
  doc.root = convert(parsed.table(), "", doc);
  doc.locs.erase("");
  return doc;
}

SourceDoc toml_table_to_doc(const toml::table& table, std::string_view file) {
  SourceDoc doc;
  doc.file = std::string(file);
  doc.root = convert(table, "", doc);
  doc.locs.erase("");
  return doc;
}

gw::Result<SourceDoc> json_to_doc(std::string_view text, std::string_view file) {
  SourceDoc doc;
  doc.file = std::string(file);
  doc.root = nlohmann::json::parse(text, nullptr, false);
  if (doc.root.is_discarded())
    return gw::fail(gw::Errc::config, doc.file + ": invalid JSON");
  if (!doc.root.is_object())
    return gw::fail(gw::Errc::config, doc.file + ": the policy must be a JSON object");
  return doc;
}

void Diagnostics::error(const std::string& path, const std::string& message) {
  std::string where = m_doc.file;
  SourceLoc loc;
  // Walk up the path until a recorded position is found (a missing field has none).
  std::string p = path;
  while (!p.empty()) {
    auto it = m_doc.locs.find(p);
    if (it != m_doc.locs.end()) {
      loc = it->second;
      where += ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
      break;
    }
    size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  m_errors.push_back({loc, where + ": " + (path.empty() ? "" : path + ": ") + message});
}

std::string Diagnostics::text() const {
  std::vector<Entry> sorted = m_errors;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    return a.loc.line != b.loc.line ? a.loc.line < b.loc.line : a.loc.col < b.loc.col;
  });
  std::string out;
  for (const auto& e : sorted) {
    if (!out.empty()) out += "\n";
    out += e.text;
  }
  return out;
}

}  // namespace gw::config::detail
