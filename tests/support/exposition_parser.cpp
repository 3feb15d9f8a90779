#include "tests/support/exposition_parser.hpp"

#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace gw::test {

double Exposition::value(const std::string& name, const std::map<std::string, std::string>& labels) const {
  for (const auto& s : samples)
    if (s.name == name && s.labels == labels) return s.value;
  return std::nan("");
}

namespace {

bool valid_name(const std::string& n) {
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':') return false;
  return true;
}

// The family a sample belongs to: histograms add _bucket, _sum and _count.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  if (types.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s(suffix);
    if (name.size() > s.size() && name.ends_with(s)) {
      std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return "";
}

bool parse_labels(const std::string& line, size_t& i, std::map<std::string, std::string>& labels, std::string& err) {
  ++i;  // '{'
  while (i < line.size() && line[i] != '}') {
    size_t eq = line.find('=', i);
    if (eq == std::string::npos) return err = "label without '='", false;
    std::string name = line.substr(i, eq - i);
    if (!valid_name(name)) return err = "bad label name '" + name + "'", false;
    i = eq + 1;
    if (i >= line.size() || line[i] != '"') return err = "label value not quoted", false;
    ++i;
    std::string v;
    for (;; ++i) {
      if (i >= line.size()) return err = "unterminated label value", false;
      char c = line[i];
      if (c == '"') break;
      if (c == '\\') {
        if (++i >= line.size()) return err = "dangling backslash", false;
        char e = line[i];
        if (e == 'n') v += '\n';
        else if (e == '\\' || e == '"') v += e;
        else return err = std::string("bad escape \\") + e, false;
      } else {
        v += c;
      }
    }
    ++i;  // closing quote
    if (labels.count(name)) return err = "duplicate label " + name, false;
    labels[name] = v;
    if (i < line.size() && line[i] == ',') ++i;
  }
  if (i >= line.size()) return err = "unterminated label set", false;
  ++i;  // '}'
  return true;
}

double parse_value(const std::string& s, bool& ok) {
  ok = true;
  if (s == "+Inf") return INFINITY;
  if (s == "-Inf") return -INFINITY;
  if (s == "NaN") return NAN;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  ok = !s.empty() && end && *end == '\0';
  return v;
}

bool check_histograms(const Exposition& e, std::string& err) {
  for (const auto& [family, type] : e.types) {
    if (type != "histogram") continue;
    // Group buckets by their labels other than `le`.
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    for (const auto& s : e.samples) {
      if (s.name != family + "_bucket") continue;
      auto it = s.labels.find("le");
      if (it == s.labels.end()) return err = family + "_bucket without le", false;
      bool ok = false;
      double le = parse_value(it->second, ok);
      if (!ok) return err = family + ": bad le '" + it->second + "'", false;
      auto rest = s.labels;
      rest.erase("le");
      buckets[rest].emplace_back(le, s.value);
    }
    if (buckets.empty()) return err = family + ": histogram without buckets", false;
    for (const auto& [labels, bs] : buckets) {
      for (size_t i = 1; i < bs.size(); ++i) {
        if (!(bs[i].first > bs[i - 1].first)) return err = family + ": le not ascending", false;
        if (bs[i].second < bs[i - 1].second) return err = family + ": buckets not cumulative", false;
      }
      if (!std::isinf(bs.back().first)) return err = family + ": last bucket is not +Inf", false;
      double count = e.value(family + "_count", labels), sum = e.value(family + "_sum", labels);
      if (std::isnan(count) || std::isnan(sum)) return err = family + ": missing _sum or _count", false;
      if (count != bs.back().second) return err = family + ": +Inf bucket != _count", false;
    }
  }
  return true;
}

}  // namespace

bool parse_exposition(const std::string& text, Exposition& out, std::string& error) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  std::set<std::string> seen_series;
  std::set<std::string> finished_families;  // a family's samples must be contiguous
  std::string current;
  auto fail = [&](const std::string& m) {
    error = "line " + std::to_string(n) + ": " + m + ": " + line;
    return false;
  };
  if (!text.empty() && text.back() != '\n') return error = "exposition does not end with a newline", false;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      std::string rest = line.substr(7);
      size_t sp = rest.find(' ');
      std::string name = rest.substr(0, sp);
      if (!valid_name(name)) return fail("bad metric name");
      if (sp == std::string::npos) return fail("HELP/TYPE without text");
      std::string arg = rest.substr(sp + 1);
      if (line[2] == 'T') {
        if (arg != "counter" && arg != "gauge" && arg != "histogram" && arg != "summary" && arg != "untyped")
          return fail("unknown type");
        if (out.types.count(name)) return fail("second TYPE line");
        for (const auto& s : out.samples)
          if (family_of(s.name, {{name, arg}}) == name) return fail("TYPE after samples");
        out.types[name] = arg;
      } else {
        if (out.help.count(name)) return fail("second HELP line");
        out.help[name] = arg;
      }
      continue;
    }
    if (line[0] == '#') continue;
    Sample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!valid_name(s.name)) return fail("bad sample name");
    if (i < line.size() && line[i] == '{') {
      std::string err;
      if (!parse_labels(line, i, s.labels, err)) return fail(err);
    }
    if (i >= line.size() || line[i] != ' ') return fail("no value");
    std::string v = line.substr(i + 1);
    if (size_t sp = v.find(' '); sp != std::string::npos) v = v.substr(0, sp);  // timestamp
    bool ok = false;
    s.value = parse_value(v, ok);
    if (!ok) return fail("bad value");
    std::string family = family_of(s.name, out.types);
    if (family.empty()) return fail("sample without a TYPE line");
    if (family != current) {
      if (finished_families.count(family)) return fail("family samples not contiguous");
      if (!current.empty()) finished_families.insert(current);
      current = family;
    }
    std::string id = s.name;
    for (const auto& [k, val] : s.labels) id += "|" + k + "=" + val;
    if (!seen_series.insert(id).second) return fail("duplicate series");
    if (out.types[family] == "counter" && s.value < 0) return fail("negative counter");
    out.samples.push_back(std::move(s));
  }
  return check_histograms(out, error);
}

}  // namespace gw::test
